/** The rules being built for one flag's targeting, and how a targeting result becomes one. */
import { MAX_EXPRESSION_LENGTH } from "../expr/index.js";
import type { RuleDefinition } from "../schema/flag-file.js";
import { and, type Cel, isFalse, isTrue } from "./flagd-cel.js";
import type { Scope } from "./flagd-operands.js";

export interface TargetingContext {
  readonly scope: Scope;
  /** Records a warning: imported faithfully except for the reason or a detail stated in the message. */
  readonly warn: (path: string, message: string) => void;
  /** flagd variant name → Ramp variant name, in the flag's order. */
  readonly variants: ReadonlyMap<string, string>;
  /** The flagd defaultVariant, if any. */
  readonly defaultVariant: string | undefined;
  readonly rules: RuleDefinition[];
  /** The Ramp variant order each split needs (Ramp gives split ranges in the flag's variant order). */
  readonly splitOrders: { readonly path: string; readonly order: readonly string[] }[];
}

export function addRule(
  guards: readonly Cel[],
  serveWhat: Omit<RuleDefinition, "if">,
  path: string,
  ctx: TargetingContext,
): void {
  const test = and(...guards);
  if (isFalse(test)) return;
  if (test.s.length > MAX_EXPRESSION_LENGTH) {
    ctx.scope.unsupported(
      path,
      `the rule's condition is ${test.s.length} characters of CEL, over Ramp's limit of ${MAX_EXPRESSION_LENGTH}`,
    );
    return;
  }
  ctx.rules.push(isTrue(test) ? { ...serveWhat } : { if: test.s, ...serveWhat });
}

/** Serves the variant flagd names `name` (a targeting result). */
export function serve(
  name: string | undefined,
  path: string,
  guards: readonly Cel[],
  ctx: TargetingContext,
): boolean {
  if (name === undefined) return false;
  const ramp = ctx.variants.get(name);
  if (ramp === undefined) {
    ctx.scope.unsupported(
      path,
      `the targeting returns '${name}', which is not a variant of the flag; flagd answers ERROR (GENERAL) there`,
    );
    return false;
  }
  addRule(guards, { variant: ramp }, path, ctx);
  return true;
}
