/**
 * Runs Unleash's client specification against Ramp: each spec's `state` is imported into a Ramp flag
 * file and every test is answered by Ramp's engine alone. The only Unleash knowledge here is how an
 * Unleash context becomes a Ramp context and how a Ramp result reads back as isEnabled / getVariant.
 */
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { isDeepStrictEqual } from "node:util";
import {
  compileFlagSet,
  type EvaluationContext,
  type EvaluationResult,
  type FlagEnvironment,
  type FlagValue,
} from "@ramp/engine";
import { importUnleash } from "@ramp/engine/import";

/** One test that did not give the specified answer. */
export interface Failure {
  readonly file: string;
  readonly description: string;
  readonly expected: unknown;
  readonly got: unknown;
  /** What the engine said (reason, variant, rule), to tell why. */
  readonly detail?: string;
}

export interface SuiteResult {
  readonly passed: number;
  readonly failures: readonly Failure[];
}

export interface UnleashContext {
  readonly userId?: unknown;
  readonly sessionId?: unknown;
  readonly remoteAddress?: unknown;
  readonly environment?: unknown;
  readonly appName?: unknown;
  readonly currentTime?: unknown;
  readonly properties?: Readonly<Record<string, unknown>>;
}

export interface SpecTest<T> {
  readonly description: string;
  readonly context: UnleashContext;
  readonly toggleName: string;
  readonly expectedResult: T;
}

export interface UnleashVariant {
  readonly name: string;
  readonly enabled: boolean;
  readonly feature_enabled: boolean;
  readonly payload?: unknown;
}

export interface SpecFile {
  readonly name: string;
  readonly state: unknown;
  readonly tests?: readonly SpecTest<boolean>[];
  readonly variantTests?: readonly SpecTest<UnleashVariant>[];
}

const ENVIRONMENT = "default";
const DISABLED: UnleashVariant = { name: "disabled", enabled: false, feature_enabled: false };
const STANDARD_FIELDS = [
  "userId",
  "sessionId",
  "remoteAddress",
  "environment",
  "appName",
  "currentTime",
] as const;

/** The directory of the installed specification's JSON files. */
export function specificationDir(): string {
  const require = createRequire(import.meta.url);
  return dirname(require.resolve("@unleash/client-specification/specifications/index.json"));
}

/** The suite as `npm run conformance` reports it: each failure named by spec file and test. */
export function unleashSuite(): { passed: number; failures: { name: string; diff: string[] }[] } {
  const { passed, failures } = runUnleashSpecification();
  return {
    passed,
    failures: failures.map((f) => ({
      name: `${f.file} › ${f.description}`,
      diff: [
        `expected ${JSON.stringify(f.expected)}`,
        `got      ${JSON.stringify(f.got)}${f.detail !== undefined ? `  (${f.detail})` : ""}`,
      ],
    })),
  };
}

/** Runs every spec file listed in the specification's index. */
export function runUnleashSpecification(dir: string = specificationDir()): SuiteResult {
  const index = JSON.parse(readFileSync(join(dir, "index.json"), "utf8")) as string[];
  let passed = 0;
  const failures: Failure[] = [];
  for (const file of index) {
    const spec = JSON.parse(readFileSync(join(dir, file), "utf8")) as SpecFile;
    const r = runSpecFile(file, spec);
    passed += r.passed;
    failures.push(...r.failures);
  }
  return { passed, failures };
}

/** Imports one spec file's state and checks its tests. */
export function runSpecFile(file: string, spec: SpecFile): SuiteResult {
  const imported = importUnleash(spec.state, { environment: ENVIRONMENT });
  const compiled = compileFlagSet(imported.file);
  const tests = [
    ...(spec.tests ?? []).map((t) => ({ t, kind: "isEnabled" as const })),
    ...(spec.variantTests ?? []).map((t) => ({ t, kind: "getVariant" as const })),
  ];
  const env = compiled.ok ? compiled.flagSet.environment(ENVIRONMENT) : undefined;
  if (env === undefined) {
    const why = compiled.ok
      ? "no environment"
      : compiled.errors.map((e) => `${e.path}: ${e.message}`).join("; ");
    const failures = tests.map(({ t }) => ({
      file,
      description: t.description,
      expected: t.expectedResult,
      got: "imported file does not compile",
      detail: why,
    }));
    return { passed: 0, failures };
  }
  const answer = unleashView(env, imported.keys);
  let passed = 0;
  const failures: Failure[] = [];
  for (const { t, kind } of tests) {
    const { got, result } = answer[kind](t.toggleName, t.context);
    if (isDeepStrictEqual(got, t.expectedResult)) passed++;
    else
      failures.push({
        file,
        description: t.description,
        expected: t.expectedResult,
        got,
        detail: describe(result),
      });
  }
  return { passed, failures };
}

/** Unleash's isEnabled / getVariant, answered by a Ramp environment holding an imported file. */
export function unleashView(env: FlagEnvironment, keys: ReadonlyMap<string, string>) {
  const evaluate = (name: string, context: UnleashContext, defaultValue: FlagValue) => {
    const key = keys.get(name) ?? name;
    return env.evaluate(key, rampContext(context), { defaultValue, random: seededRandom(key) });
  };
  return {
    isEnabled(name: string, context: UnleashContext) {
      const result = evaluate(name, context, false);
      const v = result.value;
      return { got: typeof v === "boolean" ? v : asVariant(v).feature_enabled, result };
    },
    getVariant(name: string, context: UnleashContext) {
      const result = evaluate(name, context, { name: "disabled", enabled: false, feature_enabled: false });
      const v = result.value;
      const got =
        typeof v === "boolean" ? { name: "disabled", enabled: false, feature_enabled: v } : asVariant(v);
      return { got, result };
    },
  };
}

/** userId is both targetingKey and userId; the standard fields and each `properties.X` are attributes. */
export function rampContext(u: UnleashContext): EvaluationContext {
  const ctx: Record<string, unknown> = { ...(u.properties ?? {}) };
  // Unleash reads `context[field] ?? context.properties[field]`: a standard field wins unless null.
  for (const field of STANDARD_FIELDS) if (u[field] !== undefined && u[field] !== null) ctx[field] = u[field];
  if (typeof u.userId === "string") ctx.targetingKey = u.userId;
  return ctx;
}

/** An object flag's value is Unleash's getVariant() answer (see packages/engine/src/import/unleash.ts). */
function asVariant(v: unknown): UnleashVariant {
  return typeof v === "object" && v !== null ? (v as UnleashVariant) : DISABLED;
}

function describe(r: EvaluationResult): string {
  const parts = [`reason ${r.reason}`];
  if (r.variant !== undefined) parts.push(`variant ${r.variant}`);
  if (r.ruleName !== undefined) parts.push(`rule '${r.ruleName}'`);
  if (r.errorCode !== undefined) parts.push(`${r.errorCode}: ${r.errorMessage ?? ""}`);
  return parts.join(", ");
}

/** A deterministic stand-in for Math.random (mulberry32), so `$random` bucketing repeats run to run. */
function seededRandom(seed: string): () => number {
  let a = 0;
  for (const ch of seed) a = (Math.imul(a, 31) + (ch.codePointAt(0) ?? 0)) | 0;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
