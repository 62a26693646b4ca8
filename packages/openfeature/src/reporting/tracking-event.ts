/** OpenFeature's `track()` arguments as the events route's wire shape (POST /sdk/v1/events). */
import type { EvaluationContext, TrackingEventDetails } from "@openfeature/server-sdk";

export interface TrackedEvent {
  readonly name: string;
  readonly targetingKey?: string;
  readonly value?: number;
  readonly attributes?: Readonly<Record<string, unknown>>;
  /** ISO 8601 time of the call. */
  readonly at: string;
}

/**
 * The event for one `track()` call: the context's targeting key ties it to the user's assignments;
 * `details.value` is the metric; the other details are attributes. Context attributes are not sent
 * (they may hold personal data the application did not mean to export).
 */
export function trackedEvent(
  name: string,
  context: EvaluationContext,
  details: TrackingEventDetails | undefined,
  nowMs: number,
): TrackedEvent {
  const event: { -readonly [K in keyof TrackedEvent]: TrackedEvent[K] } = {
    name,
    at: new Date(nowMs).toISOString(),
  };
  if (typeof context.targetingKey === "string") event.targetingKey = context.targetingKey;
  if (details !== undefined) {
    const { value, ...attributes } = details;
    if (typeof value === "number" && Number.isFinite(value)) event.value = value;
    if (Object.keys(attributes).length > 0) event.attributes = attributes;
  }
  return event;
}
