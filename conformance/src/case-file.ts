/**
 * The language-neutral case-file format (conformance/README.md): its types and a loader that
 * rejects a malformed file with the path of the problem, so a typo in the data never passes silently.
 */
import { readdirSync, readFileSync } from "node:fs";
import { type ErrorCode, isPlainObject, type JsonValue, type Reason, type ValueType } from "@ramp/engine";

export const CASE_FORMAT_VERSION = 1;

export interface CaseFile {
  readonly version: typeof CASE_FORMAT_VERSION;
  readonly description?: string;
  readonly suites: readonly EvaluationSuite[];
  readonly validation: readonly ValidationCase[];
}

/** One flag file and the evaluations run against it. */
export interface EvaluationSuite {
  readonly name: string;
  readonly description?: string;
  /** Compile leniently: flags that fail validation answer PARSE_ERROR. */
  readonly lenient: boolean;
  /** A Ramp flag file, as parsed JSON. */
  readonly flags: unknown;
  readonly cases: readonly EvaluationCase[];
}

export interface EvaluationCase {
  readonly name: string;
  readonly environment: string;
  readonly flag: string;
  /** Usually an object; anything else tests INVALID_CONTEXT. */
  readonly context: unknown;
  readonly options: CaseOptions;
  readonly expected: ExpectedResult;
  /** Informational: what the bucket was computed from (checked against the reference murmur3). */
  readonly hash?: HashNote;
}

export interface CaseOptions {
  readonly defaultValue?: JsonValue;
  readonly type?: ValueType;
  /** The evaluation clock, an RFC 3339 time. */
  readonly now?: string;
}

export interface ExpectedResult {
  readonly value: JsonValue;
  readonly reason: Reason;
  readonly variant?: string;
  readonly errorCode?: ErrorCode;
  readonly ruleIndex?: number;
  readonly ruleName?: string;
  /** Entries the result's flagMetadata must contain (it may contain more). */
  readonly flagMetadata?: Readonly<Record<string, string | number | boolean>>;
}

export interface HashNote {
  readonly input: string;
  readonly seed?: number;
  readonly murmur3: number;
  readonly bucket: number;
}

export interface ValidationCase {
  readonly name: string;
  readonly file: unknown;
  /** "Today" for expiry, an RFC 3339 time. */
  readonly now?: string;
  /** Every error listed must be reported; an empty list means the file is valid. */
  readonly errors: readonly ExpectedIssue[];
  /** When present, the same for warnings (an empty list: no warnings). */
  readonly warnings?: readonly ExpectedIssue[];
}

export interface ExpectedIssue {
  readonly path: string;
  readonly messageIncludes?: string;
  /** Text the issue's suggestion contains (or its message, when it has no suggestion). */
  readonly suggestion?: string;
}

export const REASONS: readonly Reason[] = [
  "STATIC",
  "TARGETING_MATCH",
  "SPLIT",
  "DISABLED",
  "DEFAULT",
  "ERROR",
  "PREREQUISITE_FAILED",
];
export const ERROR_CODES: readonly ErrorCode[] = [
  "FLAG_NOT_FOUND",
  "TYPE_MISMATCH",
  "PARSE_ERROR",
  "TARGETING_KEY_MISSING",
  "INVALID_CONTEXT",
  "GENERAL",
];
const VALUE_TYPES: readonly ValueType[] = ["boolean", "string", "number", "object"];

/** The directory holding the case files, from src/ (tests) and dist/ (npm run conformance) alike. */
export const CASES_DIR = new URL("../cases/", import.meta.url);

/** Reads every *.json case file of `dir`, in name order. */
export function loadCaseFiles(dir: URL = CASES_DIR): { readonly name: string; readonly file: CaseFile }[] {
  return readdirSync(dir)
    .filter((n) => n.endsWith(".json"))
    .sort()
    .map((name) => {
      const raw: unknown = JSON.parse(readFileSync(new URL(name, dir), "utf8"));
      return { name, file: parseCaseFile(raw, name) };
    });
}

class FormatError extends Error {
  constructor(where: string, message: string) {
    super(`${where}: ${message}`);
    this.name = "CaseFormatError";
  }
}

type Obj = Readonly<Record<string, unknown>>;

function obj(v: unknown, where: string): Obj {
  if (!isPlainObject(v)) throw new FormatError(where, "expected an object");
  return v;
}

function list(v: unknown, where: string): readonly unknown[] {
  if (v === undefined) return [];
  if (!Array.isArray(v)) throw new FormatError(where, "expected a list");
  return v;
}

function str(v: unknown, where: string): string {
  if (typeof v !== "string") throw new FormatError(where, "expected a string");
  return v;
}

function optStr(v: unknown, where: string): string | undefined {
  return v === undefined ? undefined : str(v, where);
}

function oneOf<T extends string>(v: unknown, allowed: readonly T[], where: string): T {
  const found = allowed.find((a) => a === v);
  if (found === undefined) throw new FormatError(where, `expected one of ${allowed.join(", ")}`);
  return found;
}

function time(v: unknown, where: string): string | undefined {
  const s = optStr(v, where);
  if (s !== undefined && Number.isNaN(Date.parse(s)))
    throw new FormatError(where, "expected an RFC 3339 time");
  return s;
}

/** Checks the shape of a parsed case file; throws with the path of the first problem. */
export function parseCaseFile(raw: unknown, where: string): CaseFile {
  const doc = obj(raw, where);
  if (doc.version !== CASE_FORMAT_VERSION)
    throw new FormatError(`${where}: version`, `expected ${CASE_FORMAT_VERSION}`);
  const suites = list(doc.suites, `${where}: suites`).map((s, i) => parseSuite(s, `${where}: suites[${i}]`));
  const validation = list(doc.validation, `${where}: validation`).map((v, i) =>
    parseValidation(v, `${where}: validation[${i}]`),
  );
  return {
    version: CASE_FORMAT_VERSION,
    ...withString("description", doc.description, where),
    suites,
    validation,
  };
}

function withString(key: string, v: unknown, where: string): Record<string, string> {
  const s = optStr(v, `${where}: ${key}`);
  return s === undefined ? {} : { [key]: s };
}

function parseSuite(raw: unknown, where: string): EvaluationSuite {
  const s = obj(raw, where);
  if (s.lenient !== undefined && typeof s.lenient !== "boolean")
    throw new FormatError(`${where}.lenient`, "expected true or false");
  const name = str(s.name, `${where}.name`);
  return {
    name,
    ...withString("description", s.description, where),
    lenient: s.lenient === true,
    flags: obj(s.flags, `${where}.flags`),
    cases: list(s.cases, `${where}.cases`).map((c, i) => parseEvaluationCase(c, `${where}.cases[${i}]`)),
  };
}

function parseEvaluationCase(raw: unknown, where: string): EvaluationCase {
  const c = obj(raw, where);
  if (!("context" in c)) throw new FormatError(where, "missing context");
  const o = c.options === undefined ? {} : obj(c.options, `${where}.options`);
  const now = time(o.now, `${where}.options.now`);
  const options: CaseOptions = {
    ...(o.defaultValue !== undefined && { defaultValue: o.defaultValue as JsonValue }),
    ...(o.type !== undefined && { type: oneOf(o.type, VALUE_TYPES, `${where}.options.type`) }),
    ...(now !== undefined && { now }),
  };
  const hash = c.hash === undefined ? undefined : parseHash(c.hash, `${where}.hash`);
  return {
    name: str(c.name, `${where}.name`),
    environment: str(c.environment, `${where}.environment`),
    flag: str(c.flag, `${where}.flag`),
    context: c.context,
    options,
    expected: parseExpected(c.expected, `${where}.expected`),
    ...(hash !== undefined && { hash }),
  };
}

function parseExpected(raw: unknown, where: string): ExpectedResult {
  const e = obj(raw, where);
  if (!("value" in e)) throw new FormatError(where, "missing value");
  const known = ["value", "reason", "variant", "errorCode", "ruleIndex", "ruleName", "flagMetadata"];
  for (const k of Object.keys(e))
    if (!known.includes(k)) throw new FormatError(`${where}.${k}`, "unknown field");
  if (e.ruleIndex !== undefined && !Number.isInteger(e.ruleIndex))
    throw new FormatError(`${where}.ruleIndex`, "expected an integer");
  const metadata = e.flagMetadata === undefined ? undefined : obj(e.flagMetadata, `${where}.flagMetadata`);
  return {
    value: e.value as JsonValue,
    reason: oneOf(e.reason, REASONS, `${where}.reason`),
    ...(e.variant !== undefined && { variant: str(e.variant, `${where}.variant`) }),
    ...(e.errorCode !== undefined && { errorCode: oneOf(e.errorCode, ERROR_CODES, `${where}.errorCode`) }),
    ...(typeof e.ruleIndex === "number" && { ruleIndex: e.ruleIndex }),
    ...(e.ruleName !== undefined && { ruleName: str(e.ruleName, `${where}.ruleName`) }),
    ...(metadata !== undefined && {
      flagMetadata: metadata as Readonly<Record<string, string | number | boolean>>,
    }),
  };
}

function parseHash(raw: unknown, where: string): HashNote {
  const h = obj(raw, where);
  const int = (k: string): number => {
    const v = h[k];
    if (typeof v !== "number" || !Number.isInteger(v) || v < 0)
      throw new FormatError(`${where}.${k}`, "expected a non-negative integer");
    return v;
  };
  return {
    input: str(h.input, `${where}.input`),
    ...(h.seed !== undefined && { seed: int("seed") }),
    murmur3: int("murmur3"),
    bucket: int("bucket"),
  };
}

function parseValidation(raw: unknown, where: string): ValidationCase {
  const v = obj(raw, where);
  if (!("file" in v)) throw new FormatError(where, "missing file");
  const now = time(v.now, `${where}.now`);
  const issues = (x: unknown, at: string) =>
    list(x, at).map((i, n): ExpectedIssue => {
      const o = obj(i, `${at}[${n}]`);
      const messageIncludes = optStr(o.messageIncludes, `${at}[${n}].messageIncludes`);
      const suggestion = optStr(o.suggestion, `${at}[${n}].suggestion`);
      return {
        path: str(o.path, `${at}[${n}].path`),
        ...(messageIncludes !== undefined && { messageIncludes }),
        ...(suggestion !== undefined && { suggestion }),
      };
    });
  if (!Array.isArray(v.errors)) throw new FormatError(`${where}.errors`, "expected a list");
  return {
    name: str(v.name, `${where}.name`),
    file: v.file,
    ...(now !== undefined && { now }),
    errors: issues(v.errors, `${where}.errors`),
    ...(v.warnings !== undefined && { warnings: issues(v.warnings, `${where}.warnings`) }),
  };
}
