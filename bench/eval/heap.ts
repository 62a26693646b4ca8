/** Retained heap of loaded flags: what a process keeps after parsing and compiling a flag file. */
import { compileFlagSet } from "@ramp/engine";
import { median } from "../lib/stats.js";
import { flagKeyAt, manyFlagsDocument } from "./many-flags.js";

const REPETITIONS = 3;

/**
 * KiB retained per 1,000 flags: JSON text → parse → compile → one evaluation of each flag (so nothing
 * compiled lazily escapes the count), holding only the compiled set. The source text is allocated before
 * the baseline; the parsed document is counted only if the engine keeps it. Needs `--expose-gc`;
 * undefined without it.
 */
export function heapPerThousandFlags(flagCount = 1000): number | undefined {
  const gc = globalThis.gc;
  if (gc === undefined) return undefined;
  const source = JSON.stringify(manyFlagsDocument(flagCount));
  const keys = Array.from({ length: flagCount }, (_, i) => flagKeyAt(i));
  const held: unknown[] = [];
  const deltas: number[] = [];
  // An untimed first load: the first one also grows the engine's and V8's own one-off structures.
  load(source, keys);
  for (let r = 0; r < REPETITIONS; r++) {
    gc();
    gc();
    const before = process.memoryUsage().heapUsed;
    held.push(load(source, keys));
    gc();
    gc();
    deltas.push(process.memoryUsage().heapUsed - before);
    held.length = 0;
  }
  return (median(deltas) / 1024) * (1000 / flagCount);
}

function load(source: string, keys: readonly string[]): unknown {
  const compiled = compileFlagSet(JSON.parse(source));
  if (!compiled.ok) {
    const first = compiled.errors[0];
    throw new Error(`generated flags do not compile: ${first?.path}: ${first?.message}`);
  }
  const environments = ["production", "staging"].map((name) => compiled.flagSet.environment(name));
  const production = environments[0];
  for (const key of keys) production?.evaluate(key, { targetingKey: "user-1", plan: "pro", country: "US" });
  return { flagSet: compiled.flagSet, environments };
}
