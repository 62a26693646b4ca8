/**
 * Runs the language-neutral case files (conformance/cases/*.json) against the engine: each case
 * passes or fails with a line-per-field diff. Suites compile once, lazily, on their first case.
 */
import {
  type CompileFlagSetResult,
  compileFlagSet,
  type EvaluateOptions,
  type EvaluationContext,
  type EvaluationResult,
  type Issue,
  validateFlagFile,
} from "@ramp/engine";
import {
  CASES_DIR,
  type CaseOptions,
  type EvaluationCase,
  type EvaluationSuite,
  type ExpectedIssue,
  type ExpectedResult,
  type HashNote,
  loadCaseFiles,
  type ValidationCase,
} from "./case-file.js";

export interface CaseOutcome {
  /** "file › suite › case" (validation cases: "file › validation › case"). */
  readonly id: string;
  readonly passed: boolean;
  /** What differed, one line each; empty when the case passed. */
  readonly diff: readonly string[];
}

/** A case ready to run. */
export interface RunnableCase {
  readonly id: string;
  readonly file: string;
  readonly hash?: HashNote;
  run(): CaseOutcome;
}

/** Every case of every case file in `dir`, in file order. */
export function loadCases(dir: URL = CASES_DIR): RunnableCase[] {
  const out: RunnableCase[] = [];
  for (const { name, file } of loadCaseFiles(dir)) {
    for (const suite of file.suites) {
      const compiled = lazyCompile(suite);
      for (const c of suite.cases) {
        const id = `${name} › ${suite.name} › ${c.name}`;
        out.push({
          id,
          file: name,
          ...(c.hash !== undefined && { hash: c.hash }),
          run: () => outcome(id, runEvaluation(compiled(), c)),
        });
      }
    }
    for (const v of file.validation) {
      const id = `${name} › validation › ${v.name}`;
      out.push({ id, file: name, run: () => outcome(id, runValidation(v)) });
    }
  }
  return out;
}

/** Runs every case; the outcomes in file order. */
export function runCases(dir: URL = CASES_DIR): CaseOutcome[] {
  return loadCases(dir).map((c) => c.run());
}

function outcome(id: string, diff: readonly string[]): CaseOutcome {
  return { id, passed: diff.length === 0, diff };
}

function lazyCompile(suite: EvaluationSuite): () => CompileFlagSetResult {
  let compiled: CompileFlagSetResult | undefined;
  return () => {
    compiled ??= compileFlagSet(suite.flags, { lenient: suite.lenient });
    return compiled;
  };
}

const show = (v: unknown): string => (v === undefined ? "(absent)" : JSON.stringify(v));
const describeIssue = (i: Issue): string =>
  `${i.path || "(root)"}: ${i.message}${i.suggestion !== undefined ? ` [suggestion: ${i.suggestion}]` : ""}`;

function runEvaluation(compiled: CompileFlagSetResult, c: EvaluationCase): string[] {
  if (!compiled.ok)
    return [`the suite's flag file does not compile: ${compiled.errors.map(describeIssue).join("; ")}`];
  const env = compiled.flagSet.environment(c.environment);
  if (env === undefined) return [`no environment '${c.environment}' in the suite's flag file`];
  let result: EvaluationResult;
  try {
    result = env.evaluate(c.flag, c.context as EvaluationContext, evaluateOptions(c.options));
  } catch (e) {
    return [`evaluate threw (it must never throw): ${String(e)}`];
  }
  return compareResult(c.expected, result);
}

function evaluateOptions(o: CaseOptions): EvaluateOptions | undefined {
  if (o.defaultValue === undefined && o.type === undefined && o.now === undefined) return undefined;
  const now = o.now === undefined ? undefined : Date.parse(o.now);
  return {
    ...(o.defaultValue !== undefined && { defaultValue: o.defaultValue }),
    ...(o.type !== undefined && { type: o.type }),
    ...(now !== undefined && { now: () => now }),
  };
}

const OPTIONAL_FIELDS = ["variant", "errorCode", "ruleIndex", "ruleName"] as const;

/** Differences between the expected and actual result; optional fields absent from `expected` must be absent. */
export function compareResult(expected: ExpectedResult, actual: EvaluationResult): string[] {
  const diff: string[] = [];
  if (actual.reason !== expected.reason)
    diff.push(`reason: expected ${expected.reason}, got ${actual.reason}`);
  if (!jsonEqual(actual.value, expected.value))
    diff.push(`value: expected ${show(expected.value)}, got ${show(actual.value)}`);
  for (const field of OPTIONAL_FIELDS) {
    if (actual[field] !== expected[field])
      diff.push(`${field}: expected ${show(expected[field])}, got ${show(actual[field])}`);
  }
  for (const [k, v] of Object.entries(expected.flagMetadata ?? {})) {
    if (actual.flagMetadata[k] !== v)
      diff.push(`flagMetadata.${k}: expected ${show(v)}, got ${show(actual.flagMetadata[k])}`);
  }
  if (diff.length > 0 && actual.errorMessage !== undefined)
    diff.push(`(errorMessage: ${actual.errorMessage})`);
  return diff;
}

/** Structural equality of JSON values (object key order ignored). */
export function jsonEqual(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (typeof a !== "object" || typeof b !== "object" || a === null || b === null) return false;
  if (Array.isArray(a) || Array.isArray(b)) {
    return (
      Array.isArray(a) && Array.isArray(b) && a.length === b.length && a.every((x, i) => jsonEqual(x, b[i]))
    );
  }
  const ka = Object.keys(a);
  const bo = b as Readonly<Record<string, unknown>>;
  const ao = a as Readonly<Record<string, unknown>>;
  return (
    ka.length === Object.keys(b).length && ka.every((k) => Object.hasOwn(b, k) && jsonEqual(ao[k], bo[k]))
  );
}

function runValidation(v: ValidationCase): string[] {
  const now = v.now === undefined ? undefined : Date.parse(v.now);
  const issues = validateFlagFile(v.file, now === undefined ? {} : { now: () => now });
  const errors = issues.filter((i) => i.severity === "error");
  const warnings = issues.filter((i) => i.severity === "warning");
  const diff = [...matchIssues("error", v.errors, errors)];
  if (v.warnings !== undefined) diff.push(...matchIssues("warning", v.warnings, warnings));
  const compiled = compileFlagSet(v.file, now === undefined ? {} : { now: () => now });
  if (compiled.ok !== (v.errors.length === 0))
    diff.push(
      `compileFlagSet: expected ok ${v.errors.length === 0}, got ${compiled.ok} (validateFlagFile and compileFlagSet must agree)`,
    );
  return diff;
}

function matchIssues(kind: string, expected: readonly ExpectedIssue[], actual: readonly Issue[]): string[] {
  if (expected.length === 0) return actual.map((i) => `unexpected ${kind}: ${describeIssue(i)}`);
  const diff: string[] = [];
  for (const e of expected) {
    if (actual.some((i) => issueMatches(e, i))) continue;
    const atPath = actual.filter((i) => i.path === e.path);
    const wanted = [
      e.messageIncludes !== undefined ? `message including ${JSON.stringify(e.messageIncludes)}` : "",
      e.suggestion !== undefined ? `suggestion ${JSON.stringify(e.suggestion)}` : "",
    ].filter((s) => s !== "");
    diff.push(
      `missing ${kind} at ${e.path}${wanted.length > 0 ? ` with ${wanted.join(" and ")}` : ""}; ` +
        (atPath.length > 0
          ? `at that path: ${atPath.map(describeIssue).join("; ")}`
          : `${kind}s: ${actual.map(describeIssue).join("; ") || "none"}`),
    );
  }
  return diff;
}

function issueMatches(e: ExpectedIssue, i: Issue): boolean {
  if (i.path !== e.path) return false;
  if (e.messageIncludes !== undefined && !i.message.includes(e.messageIncludes)) return false;
  if (e.suggestion !== undefined && !(i.suggestion ?? i.message).includes(e.suggestion)) return false;
  return true;
}
