/**
 * The `hey`-style command line of a `ramp:load-test` webhook, read into a bounded plan. Pure, so the
 * rollout compiler reports a bad command (with its path) before anything runs.
 */

/** Hard limits: the load generator is for giving a canary signal, not for load testing a fleet. */
export const LOAD_TEST_LIMITS = { requestsPerSecond: 500, durationSeconds: 600, requests: 100_000 } as const;

export interface LoadPlan {
  /** Concurrent workers (hey -c, default 50). */
  readonly workers: number;
  /** Requests per second per worker (hey -q). */
  readonly ratePerWorker: number;
  /** Run this long (hey -z); null: until `requests` are sent. */
  readonly durationSeconds: number | null;
  /** Requests in total (hey -n, default 200), when no duration is given. */
  readonly requests: number | null;
  readonly method: string;
  readonly headers: Readonly<Record<string, string>>;
  /** Per-request timeout (hey -t, default 20 s). */
  readonly timeoutSeconds: number;
  /** The URL at the end of the command, if any. */
  readonly url: string | null;
}

export type LoadPlanResult =
  | { readonly ok: true; readonly plan: LoadPlan }
  | { readonly ok: false; readonly message: string };

const DURATION = /^(\d+(?:\.\d+)?)(ms|s|m|h)$/;
const UNIT: Readonly<Record<string, number>> = { ms: 0.001, s: 1, m: 60, h: 3600 };

/** Splits a command line on spaces, keeping quoted parts together ('…' and "…"). */
export function splitCommand(cmd: string): string[] {
  const words: string[] = [];
  const re = /"([^"]*)"|'([^']*)'|(\S+)/g;
  for (let m = re.exec(cmd); m !== null; m = re.exec(cmd)) words.push(m[1] ?? m[2] ?? m[3] ?? "");
  return words;
}

/**
 * Reads `hey -z 1m -q 10 -c 2 [-n N] [-m GET] [-H "k: v"] [-t 5] [URL]`. `-q` is required: an
 * unlimited rate is not something Ramp runs against a canary.
 *
 * @example parseHeyCommand("hey -z 30s -q 10 -c 2") // { ok: true, plan: { workers: 2, ratePerWorker: 10, durationSeconds: 30, … } }
 */
export function parseHeyCommand(cmd: string): LoadPlanResult {
  const words = splitCommand(cmd.trim());
  if (words[0] === "hey") words.shift();
  let workers = 50;
  let rate: number | null = null;
  let durationSeconds: number | null = null;
  let requests: number | null = null;
  let method = "GET";
  let timeoutSeconds = 20;
  let url: string | null = null;
  const headers: Record<string, string> = {};
  const fail = (message: string): LoadPlanResult => ({ ok: false, message });
  for (let i = 0; i < words.length; i++) {
    const flag = words[i] ?? "";
    if (!flag.startsWith("-")) {
      if (url !== null || i !== words.length - 1)
        return fail(`unexpected '${flag}': only the URL may follow the flags`);
      if (!/^https?:\/\//.test(flag)) return fail(`'${flag}' is not an http(s) URL`);
      url = flag;
      continue;
    }
    const value = words[i + 1];
    if (value === undefined) return fail(`${flag} needs a value`);
    i++;
    const whole = (what: string, min: number): number | string => {
      const n = Number(value);
      return Number.isInteger(n) && n >= min
        ? n
        : `${flag} ${value}: ${what} must be a whole number ≥ ${min}`;
    };
    switch (flag) {
      case "-c":
      case "-n":
      case "-t": {
        const n = whole(flag === "-c" ? "workers" : flag === "-n" ? "requests" : "timeout", 1);
        if (typeof n === "string") return fail(n);
        if (flag === "-c") workers = n;
        else if (flag === "-n") requests = n;
        else timeoutSeconds = n;
        break;
      }
      case "-q": {
        const n = Number(value);
        if (!(Number.isFinite(n) && n > 0))
          return fail(`-q ${value}: the rate per worker must be a number > 0`);
        rate = n;
        break;
      }
      case "-z": {
        const m = DURATION.exec(value);
        if (m === null) return fail(`-z ${value}: expected a duration like 30s, 5m`);
        durationSeconds = Number(m[1]) * (UNIT[m[2] ?? "s"] ?? 1);
        if (durationSeconds <= 0) return fail(`-z ${value}: the duration must be > 0`);
        break;
      }
      case "-m":
        method = value.toUpperCase();
        break;
      case "-H": {
        const colon = value.indexOf(":");
        if (colon <= 0) return fail(`-H ${value}: expected "Name: value"`);
        headers[value.slice(0, colon).trim()] = value.slice(colon + 1).trim();
        break;
      }
      default:
        return fail(`unknown flag ${flag}: Ramp's load test reads -z, -q, -c, -n, -m, -H and -t`);
    }
  }
  if (rate === null)
    return fail("-q (requests per second per worker) is required: Ramp's load test is bounded");
  const total = workers * rate;
  const {
    requestsPerSecond: maxRate,
    durationSeconds: maxDuration,
    requests: maxRequests,
  } = LOAD_TEST_LIMITS;
  if (total > maxRate)
    return fail(`-c ${workers} × -q ${rate} is ${total} requests/s; at most ${maxRate} are allowed`);
  if (durationSeconds !== null && durationSeconds > maxDuration)
    return fail(`-z: ${durationSeconds}s is longer than the ${maxDuration}s allowed`);
  if (durationSeconds === null) {
    requests ??= 200;
    if (requests > maxRequests) return fail(`-n ${requests}: at most ${maxRequests} requests are allowed`);
    if (requests / total > maxDuration)
      return fail(`-n ${requests} at ${total} requests/s takes longer than the ${maxDuration}s allowed`);
  } else if (durationSeconds * total > maxRequests) {
    return fail(
      `-z ${durationSeconds}s at ${total} requests/s is more than the ${maxRequests} requests allowed`,
    );
  }
  return {
    ok: true,
    plan: {
      workers,
      ratePerWorker: rate,
      durationSeconds,
      requests: durationSeconds === null ? requests : null,
      method,
      headers,
      timeoutSeconds,
      url,
    },
  };
}
