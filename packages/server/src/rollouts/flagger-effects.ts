/**
 * What a Flagger-style analysis wants from the shell: the webhook calls of the stage in progress
 * (desired state, re-sent by every decision until answered), the one-shot post-rollout and event
 * calls of this decision, and the load tests that keep the canary busy while it is analysed.
 */
import { murmur3 } from "@ramp/engine";
import type { DecisionContext } from "./context.js";
import { callId, hooksOf } from "./flagger-calls.js";
import { type FlaggerWebhook, LOAD_TEST_URL } from "./flagger-types.js";
import type { HeaderRoute } from "./rollout.js";
import type { HistoryEntry } from "./status.js";

/** Flagger's CanaryWebhookPayload: what every webhook receives as its JSON body. */
export interface WebhookPayload {
  readonly name: string;
  readonly namespace: string;
  readonly phase: string;
  readonly checksum: string;
  readonly metadata: Readonly<Record<string, string>>;
}

export interface WebhookCall {
  readonly kind: "callWebhook";
  /** Unique per rollout, revision, interval (or event) and webhook: the shell calls each id once. */
  readonly id: string;
  readonly webhook: FlaggerWebhook;
  readonly payload: WebhookPayload;
  /** False for post-rollout and event webhooks: sent once, the answer only logged. */
  readonly awaited: boolean;
}

export interface LoadTest {
  readonly kind: "loadTest";
  /** One per rollout revision and webhook: the shell runs it while it is wanted. */
  readonly id: string;
  readonly webhook: FlaggerWebhook;
  readonly canaryVersion: string;
  /** Requests carrying this header reach the canary through the rollout's router. */
  readonly header: { readonly name: string; readonly value: string };
}

/** The header that routes Ramp's load test to the canary through the router. */
export const LOAD_TEST_HEADER = "x-ramp-load-test";
const LOAD_TEST_ROUTE = "ramp-load-test";
const WARNING_EVENTS: ReadonlySet<string> = new Set(["Aborted", "CheckFailed", "WebhookHeld", "RolledBack"]);

export interface FlaggerEffects {
  readonly calls: WebhookCall[];
  readonly loadTests: LoadTest[];
  /** Header routes to add to the route effect (the load test's). */
  readonly headerRoutes: HeaderRoute[];
}

export function flaggerEffects(ctx: DecisionContext): FlaggerEffects {
  const { st, spec } = ctx;
  const strategy = spec.strategy;
  const none: FlaggerEffects = { calls: [], loadTests: [], headerRoutes: [] };
  if (strategy.kind !== "flagger") return none;
  const a = strategy.analysis;
  const f = st.flagger;
  const calls: WebhookCall[] = [];
  const payload = (phase: string, metadata: Readonly<Record<string, string>>): WebhookPayload => ({
    name: spec.name,
    namespace: spec.namespace ?? "default",
    phase,
    checksum: murmur3(`${spec.name}:${st.revision}:${st.canaryVersion ?? st.stableVersion ?? ""}`)
      .toString(16)
      .padStart(8, "0"),
    metadata,
  });
  if (
    f !== undefined &&
    f.revision === st.revision &&
    f.stage !== null &&
    f.stage !== "metrics" &&
    !st.aborted
  ) {
    const phase = f.stage === "confirm-rollout" || f.stage === "rollback" ? f.phase : "Progressing";
    for (const hook of hooksOf(a, f.stage))
      calls.push({
        kind: "callWebhook",
        id: callId(spec.name, st.revision, f.interval, hook),
        webhook: hook,
        payload: payload(phase, hook.metadata),
        awaited: true,
      });
  }
  const appended = st.history.slice(ctx.input.history.length);
  for (const entry of appended) {
    for (const hook of hooksOf(a, "event"))
      calls.push({
        kind: "callWebhook",
        id: `${spec.name}-event${entry.seq}-${hook.name}`,
        webhook: hook,
        payload: payload(f?.phase ?? "Progressing", eventMetadata(entry, hook, ctx.now)),
        awaited: false,
      });
    if (entry.event !== "Promoted" && entry.event !== "Aborted") continue;
    for (const hook of hooksOf(a, "post-rollout"))
      calls.push({
        kind: "callWebhook",
        id: `${spec.name}-r${entry.revision}-post-rollout-${hook.name}`,
        webhook: hook,
        payload: payload(entry.event === "Promoted" ? "Succeeded" : "Failed", hook.metadata),
        awaited: false,
      });
  }
  const analysing =
    f !== undefined &&
    f.revision === st.revision &&
    (f.phase === "Progressing" || f.phase === "WaitingPromotion" || f.phase === "Promoting");
  const canary = st.canaryVersion;
  // Wanted for as long as the canary runs under analysis (not only while it is observed ready), so
  // a readiness blip does not restart the load.
  if (!analysing || canary === null || st.aborted || st.canaryReplicas === 0) return { ...none, calls };
  const header = { name: LOAD_TEST_HEADER, value: `${spec.name}-r${st.revision}` };
  const loadTests: LoadTest[] = a.webhooks
    .filter((w) => w.url === LOAD_TEST_URL)
    .map((webhook) => ({
      kind: "loadTest",
      id: `${spec.name}-r${st.revision}-${webhook.name}`,
      webhook,
      canaryVersion: canary,
      header,
    }));
  const headerRoutes: HeaderRoute[] =
    loadTests.length === 0
      ? []
      : [
          {
            name: LOAD_TEST_ROUTE,
            match: [{ headerName: header.name, headerValue: { exact: header.value } }],
          },
        ];
  return { calls, loadTests, headerRoutes };
}

/** Flagger's event webhook metadata: the message, Normal or Warning, and a millisecond timestamp. */
function eventMetadata(entry: HistoryEntry, hook: FlaggerWebhook, now: Date): Record<string, string> {
  return {
    ...hook.metadata,
    eventMessage: `${entry.event}: ${entry.message}`,
    eventType: WARNING_EVENTS.has(entry.event) ? "Warning" : "Normal",
    timestamp: String(now.getTime()),
  };
}
