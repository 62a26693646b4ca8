/**
 * The catalogue of functions and methods the compiler knows, and the "did you mean …?" diagnostics for
 * names it does not know.
 */

import { nearest } from "../validate/suggest.js";
import { ARGO_FUNCTIONS } from "./argo.js";
import type { FunctionDef } from "./compiled.js";
import { fail } from "./errors.js";
import { MACROS } from "./macros.js";
import { NETWORK_FUNCTIONS } from "./network-functions.js";
import { SEMVER_FUNCTIONS, SEMVER_METHODS } from "./semver-functions.js";
import { STANDARD_FUNCTIONS, STANDARD_METHODS } from "./standard-functions.js";
import { TIME_FUNCTIONS, TIME_METHODS } from "./time-functions.js";

/** Functions called as `f(x)`. `has` is a macro handled by the compiler. */
export const GLOBAL_FUNCTIONS: ReadonlyMap<string, FunctionDef> = new Map([
  ...STANDARD_FUNCTIONS,
  ...TIME_FUNCTIONS,
  ...SEMVER_FUNCTIONS,
  ...NETWORK_FUNCTIONS,
  ...ARGO_FUNCTIONS,
]);

/** Methods called as `x.f(y)`; the receiver is their first argument. */
export const METHODS: ReadonlyMap<string, FunctionDef> = new Map([
  ...STANDARD_METHODS,
  ...TIME_METHODS,
  ...SEMVER_METHODS,
]);

function didYouMean(word: string, candidates: Iterable<string>): string | undefined {
  const best = nearest(word, candidates);
  return best === undefined ? undefined : `did you mean '${best}'?`;
}

export function unknownFunction(name: string, offset: number, extra: readonly string[]): never {
  if (METHODS.has(name) || MACROS.has(name)) {
    return fail(`'${name}' is a method, not a function: call it on its receiver, e.g. x.${name}(…)`, offset);
  }
  const suggestion = didYouMean(name, [...GLOBAL_FUNCTIONS.keys(), "has", ...extra]);
  return fail(
    `unknown function '${name}'${suggestion === undefined ? "" : ` (${suggestion})`}`,
    offset,
    suggestion,
  );
}

export function unknownMethod(name: string, offset: number): never {
  if (MACROS.has(name)) {
    return fail(`${name}() takes a variable name and an expression, e.g. list.${name}(x, x > 0)`, offset);
  }
  if (GLOBAL_FUNCTIONS.has(name) || name === "has") {
    return fail(`'${name}' is a function, not a method: write ${name}(x)`, offset);
  }
  const suggestion = didYouMean(name, [...METHODS.keys(), ...MACROS.keys()]);
  return fail(
    `unknown method '${name}'${suggestion === undefined ? "" : ` (${suggestion})`}`,
    offset,
    suggestion,
  );
}
