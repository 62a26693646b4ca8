/** Small checks shared by the command-line parsers. */
import { UsageError } from "./output.js";

export function format<F extends string>(value: string | undefined, allowed: readonly F[], fallback: F): F {
  if (value === undefined) return fallback;
  const f = allowed.find((a) => a === value);
  if (f === undefined) throw new UsageError(`-o must be one of ${allowed.join(", ")}; got '${value}'`);
  return f;
}

export function json(value: string | undefined): boolean {
  return format(value, ["text", "json"], "text") === "json";
}

export function extra(positionals: readonly string[], allowed: number): void {
  const surplus = positionals[allowed];
  if (surplus !== undefined) throw new UsageError(`unexpected argument '${surplus}'`);
}

export function nonEmpty(s: string | undefined): string | undefined {
  return s === undefined || s === "" ? undefined : s;
}
