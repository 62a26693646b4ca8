/** flagd's custom string operations — starts_with, ends_with and sem_ver — as CEL conditions. */
import { compareSemver, type Semver } from "../expr/semver.js";
import { and, type Cel, call, lit, method, not, type RelOp, rel, TRUE } from "./flagd-cel.js";
import { FLAGD_SEMVER_RE2, flagdVersion, type Json, jsString } from "./flagd-jsonlogic.js";
import {
  type Cond,
  constant,
  isString,
  NEVER,
  nilTest,
  type Operand,
  operand,
  type Scope,
} from "./flagd-operands.js";

/** starts_with / ends_with: true or false for two strings, null otherwise. */
export function affix(
  fn: "startsWith" | "endsWith",
  args: Json,
  path: string,
  scope: Scope,
): Cond | undefined {
  if (!Array.isArray(args) || args.length !== 2) return NEVER;
  const x = operand(args[0] ?? null, `${path}[0]`, scope);
  const y = operand(args[1] ?? null, `${path}[1]`, scope);
  if (x === undefined || y === undefined) return undefined;
  if (x.kind === "const" && y.kind === "const") {
    const [s, t] = [x.value, y.value];
    if (typeof s !== "string" || typeof t !== "string") return NEVER;
    return constant(fn === "startsWith" ? s.startsWith(t) : s.endsWith(t));
  }
  const valid: Cel[] = [];
  const side = (o: Operand): Cel | undefined => {
    if (o.kind === "const") return typeof o.value === "string" ? lit(o.value) : undefined;
    valid.push(not(nilTest(o)), isString(o.value));
    return o.value;
  };
  const a = side(x);
  const b = side(y);
  if (a === undefined || b === undefined) return NEVER;
  const test = method(a, fn, b);
  return { pos: test, tot: and(...valid, test), fls: and(...valid, not(test)) };
}

const SEMVER_OPS = new Set(["=", "!=", "<", "<=", ">", ">=", "^", "~"]);
const SEMVER_RELATIONS: Readonly<Record<string, RelOp>> = {
  "=": "==",
  "!=": "!=",
  "<": "<",
  "<=": "<=",
  ">": ">",
  ">=": ">=",
};

/** sem_ver: [version, operator, version]; null when a version does not parse or the operator is unknown. */
export function semVer(args: Json, path: string, scope: Scope): Cond | undefined {
  if (!Array.isArray(args) || args.length !== 3) return NEVER;
  const [l, o, r] = args;
  const opNode = operand(o ?? null, `${path}[1]`, scope);
  const x = operand(l ?? null, `${path}[0]`, scope);
  const y = operand(r ?? null, `${path}[2]`, scope);
  if (opNode === undefined || x === undefined || y === undefined) return undefined;
  if (opNode.kind !== "const") {
    scope.unsupported(
      `${path}[1]`,
      "a sem_ver operator taken from the context is not supported by the importer",
    );
    return undefined;
  }
  const op = jsString(opNode.value);
  if (!SEMVER_OPS.has(op)) return NEVER;
  if (x.kind === "const" && y.kind === "const") {
    const [a, b] = [flagdVersion(x.value), flagdVersion(y.value)];
    return a === undefined || b === undefined ? NEVER : constant(semverHolds(op, a, b));
  }
  const present: Cel[] = [];
  const parses: Cel[] = [];
  const side = (s: Operand): { v: Cel; c: Semver | undefined } | undefined => {
    if (s.kind === "const") {
      const c = flagdVersion(s.value);
      return c === undefined ? undefined : { v: call("semver", lit(c.toString())), c };
    }
    const text = call("string", s.value);
    present.push(not(nilTest(s)));
    parses.push(method(text, "matches", lit(FLAGD_SEMVER_RE2)));
    return { v: call("semver", text, TRUE), c: undefined };
  };
  const a = side(x);
  const b = side(y);
  if (a === undefined || b === undefined) return NEVER;
  const part = (s: { v: Cel; c: Semver | undefined }, p: "major" | "minor") =>
    s.c !== undefined ? lit(s.c[p]) : method(s.v, p);
  let test: Cel;
  if (op === "^") test = rel(part(a, "major"), "==", part(b, "major"));
  else if (op === "~")
    test = and(rel(part(a, "major"), "==", part(b, "major")), rel(part(a, "minor"), "==", part(b, "minor")));
  else test = rel(a.v, SEMVER_RELATIONS[op] ?? "==", b.v);
  return {
    pos: and(...parses, test),
    tot: and(...present, ...parses, test),
    fls: and(...present, ...parses, not(test)),
  };
}

function semverHolds(op: string, a: Semver, b: Semver): boolean {
  const c = compareSemver(a, b);
  switch (op) {
    case "=":
      return c === 0;
    case "!=":
      return c !== 0;
    case "<":
      return c < 0;
    case "<=":
      return c <= 0;
    case ">":
      return c > 0;
    case ">=":
      return c >= 0;
    case "^":
      return a.major === b.major;
    default:
      return a.major === b.major && a.minor === b.minor;
  }
}
