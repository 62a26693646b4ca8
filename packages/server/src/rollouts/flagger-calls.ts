/**
 * The webhook side of a Flagger-style interval, shared by the decision and its effects: which
 * webhooks a stage asks, how each call is named, and how a stage's answers are judged.
 */
import type { DecisionContext } from "./context.js";
import type { FlaggerAnalysis, FlaggerWebhook, FlaggerWebhookType } from "./flagger-types.js";
import type { FlaggerStage, FlaggerStatus } from "./status.js";

export function hooksOf(a: FlaggerAnalysis, type: FlaggerWebhookType | FlaggerStage): FlaggerWebhook[] {
  return a.webhooks.filter((w) => w.type === type);
}

/** The id of one call: rollout, revision, interval and webhook name, so each is made once per interval. */
export function callId(rollout: string, revision: number, interval: number, hook: FlaggerWebhook): string {
  return `${rollout}-r${revision}-i${interval}-${hook.name}`;
}

export type GateAnswer =
  | { readonly kind: "pending"; readonly hook: FlaggerWebhook }
  | { readonly kind: "passed" | "failed"; readonly hook: FlaggerWebhook; readonly message: string };

/**
 * The stage's webhooks, judged as Flagger does: the first failure (in spec order) fails the stage,
 * all must pass; for rollback webhooks the first that passes rolls back, all failing is no rollback.
 */
export function gate(
  ctx: DecisionContext,
  a: FlaggerAnalysis,
  f: FlaggerStatus,
  stage: FlaggerStage,
): GateAnswer {
  const hooks = hooksOf(a, stage);
  const decisive = stage === "rollback";
  let pending: FlaggerWebhook | undefined;
  for (const hook of hooks) {
    const outcome = ctx.obs.webhooks?.[callId(ctx.spec.name, ctx.st.revision, f.interval, hook)];
    if (outcome === undefined) {
      pending ??= hook;
      continue;
    }
    if (outcome.passed === decisive)
      return { kind: decisive ? "passed" : "failed", hook, message: outcome.message };
  }
  const last = hooks[hooks.length - 1];
  if (pending !== undefined) return { kind: "pending", hook: pending };
  if (last === undefined) throw new Error(`no ${stage} webhooks to judge`);
  return { kind: decisive ? "failed" : "passed", hook: last, message: "" };
}
