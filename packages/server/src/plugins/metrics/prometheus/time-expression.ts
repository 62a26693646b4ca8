/**
 * The `rangeQuery.start` / `end` expressions of Argo's Prometheus provider. Argo evaluates them
 * with expr-lang; Ramp reads the forms Argo documents — `now()`, `now() - duration("10m")`,
 * `date("2025-01-01T00:00:00Z")`, and sums of durations — and names anything else plainly.
 */

import { parseDuration } from "../../../analysis/duration.js";

export type TimeExpressionResult =
  | { readonly ok: true; readonly ms: number }
  | { readonly ok: false; readonly message: string };

const SUPPORTED = `now(), date("2025-01-01T00:00:00Z"), optionally followed by + or - duration("10m")`;

/**
 * The time `text` names, in milliseconds since the epoch, with `now()` = `nowMs` (the analysis
 * clock, not the wall clock, so replays and tests agree with the rest of the run).
 *
 * @example evaluateTimeExpression(`now() - duration("5m")`, now) // { ok: true, ms: now - 300000 }
 */
export function evaluateTimeExpression(text: string, nowMs: number): TimeExpressionResult {
  const scanner = new Scanner(text);
  const base = scanner.base(nowMs);
  if (!base.ok) return base;
  let ms = base.ms;
  for (;;) {
    scanner.skipSpace();
    if (scanner.done()) return { ok: true, ms };
    const sign = scanner.take("+") ? 1 : scanner.take("-") ? -1 : 0;
    if (sign === 0) return scanner.fail('expected + or - duration("…")');
    const d = scanner.call("duration");
    if (!d.ok) return d;
    const delta = parseDuration(d.arg);
    if (delta === undefined) {
      return {
        ok: false,
        message: `${JSON.stringify(d.arg)} is not a duration such as "30s", "10m" or "1h"`,
      };
    }
    ms += sign * delta;
  }
}

class Scanner {
  #at = 0;

  constructor(private readonly text: string) {}

  done(): boolean {
    return this.#at >= this.text.length;
  }

  skipSpace(): void {
    while (this.#at < this.text.length && /\s/.test(this.text.charAt(this.#at))) this.#at++;
  }

  take(token: string): boolean {
    this.skipSpace();
    if (!this.text.startsWith(token, this.#at)) return false;
    this.#at += token.length;
    return true;
  }

  fail(what: string): { ok: false; message: string } {
    const where = this.done() ? "at the end" : `at offset ${this.#at}`;
    return {
      ok: false,
      message: `cannot read time expression ${JSON.stringify(this.text)}: ${what} ${where}; supported: ${SUPPORTED}`,
    };
  }

  base(nowMs: number): TimeExpressionResult {
    this.skipSpace();
    if (this.take("now")) {
      if (!this.take("(") || !this.take(")")) return this.fail("expected now()");
      return { ok: true, ms: nowMs };
    }
    if (this.text.startsWith("date", this.#at)) {
      const d = this.call("date");
      if (!d.ok) return d;
      // RFC 3339 only: what Kubernetes and Argo write, and unambiguous about the time zone.
      const rfc3339 = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$/;
      const ms = Date.parse(d.arg);
      if (!rfc3339.test(d.arg) || Number.isNaN(ms)) {
        return {
          ok: false,
          message: `date(${JSON.stringify(d.arg)}): expected an RFC 3339 time such as "2025-01-01T00:00:00Z"`,
        };
      }
      return { ok: true, ms };
    }
    return this.fail('expected now() or date("…")');
  }

  /** `name("text")` with single, double or back quotes; the text inside. */
  call(name: string): { ok: true; arg: string } | { ok: false; message: string } {
    if (!this.take(name)) return this.fail(`expected ${name}("…")`);
    if (!this.take("(")) return this.fail(`expected ( after ${name}`);
    this.skipSpace();
    const quote = this.text.charAt(this.#at);
    if (quote !== '"' && quote !== "'" && quote !== "`")
      return this.fail(`expected a quoted string in ${name}(…)`);
    const end = this.text.indexOf(quote, this.#at + 1);
    if (end < 0) return this.fail(`unterminated string in ${name}(…)`);
    const arg = this.text.slice(this.#at + 1, end);
    this.#at = end + 1;
    if (!this.take(")")) return this.fail(`expected ) to close ${name}(…)`);
    return { ok: true, arg };
  }
}
