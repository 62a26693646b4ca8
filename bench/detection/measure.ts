/**
 * What one case of one trial measured, from the client's samples and the server's notifications and
 * analysis runs. Pure: the clocks are the epoch milliseconds both processes stamped.
 */
import type { Sample } from "./load.js";
import type { MeasurementView } from "./ramp.js";
import type { CaseKind } from "./scenario.js";

export interface CaseInput {
  readonly kind: CaseKind;
  readonly samples: readonly Sample[];
  readonly canaryVersion: string;
  /** When the server notified the abort (after routing all traffic to stable); undefined: no abort. */
  readonly abortedAt: number | undefined;
  /** When the load stopped. */
  readonly endAt: number;
  /** The analysis run: when it started, its measurements and its phase. */
  readonly analysisStartedAt: number | undefined;
  readonly measurements: readonly MeasurementView[];
  readonly analysisPhase: string | undefined;
}

export interface Counts {
  readonly requests: number;
  /** Answers with a 5xx status. */
  readonly errors: number;
}

export interface Verdict {
  readonly phase: string;
  readonly value: string | undefined;
  /** Seconds from the first canary request to the verdict. */
  readonly atSeconds: number;
  /** Canary requests sent before the verdict: about what its window held. */
  readonly requests: number;
}

export interface CaseResult {
  readonly kind: CaseKind;
  readonly aborted: boolean;
  /** No request reached the canary (the case measured nothing). */
  readonly noCanaryTraffic: boolean;
  /** From the first canary request to the abort's notification, in seconds. */
  readonly detectionSeconds: number | undefined;
  /** From the first canary request to the abort, else to the end of the load. */
  readonly observedSeconds: number;
  /** Canary requests sent before the abort (or the end). */
  readonly canary: Counts;
  /** Stable requests over the same period. */
  readonly stable: Counts;
  /** How long before the abort's notification the last canary request left, in milliseconds. */
  readonly lastCanaryMs: number | undefined;
  /** Requests sent after the abort, and how many of them the canary answered (must be 0). */
  readonly afterAbort: { readonly requests: number; readonly canary: number } | undefined;
  /** Requests no version answered (proxy errors, timeouts), over the whole load. */
  readonly unanswered: number;
  /** Seconds from the first canary request to the analysis run's start. */
  readonly analysisStartSeconds: number | undefined;
  readonly verdicts: readonly Verdict[];
  readonly analysisPhase: string | undefined;
}

export function measureCase(input: CaseInput): CaseResult {
  const samples = input.samples.slice().sort((a, b) => a.sentAt - b.sentAt);
  const isCanary = (s: Sample) => s.version === input.canaryVersion;
  const firstCanary = samples.find(isCanary)?.sentAt;
  const until = input.abortedAt ?? input.endAt;
  const during = samples.filter(
    (s) => firstCanary !== undefined && s.sentAt >= firstCanary && s.sentAt <= until,
  );
  const canary = during.filter(isCanary);
  const after = input.abortedAt === undefined ? undefined : samples.filter((s) => s.sentAt > until);
  const lastCanary = canary[canary.length - 1]?.sentAt;
  const start = firstCanary ?? until;
  const verdicts = input.measurements
    .filter((m) => m.finishedAt !== undefined)
    .map((m) => {
      const at = m.finishedAt ?? until;
      return {
        phase: m.phase,
        value: m.value,
        atSeconds: (at - start) / 1000,
        requests: canary.filter((s) => s.sentAt <= at).length,
      };
    });
  return {
    kind: input.kind,
    aborted: input.abortedAt !== undefined,
    noCanaryTraffic: firstCanary === undefined,
    detectionSeconds:
      input.abortedAt === undefined || firstCanary === undefined
        ? undefined
        : (input.abortedAt - firstCanary) / 1000,
    observedSeconds: (until - start) / 1000,
    canary: counts(canary),
    stable: counts(during.filter((s) => !isCanary(s) && s.version !== undefined)),
    lastCanaryMs:
      input.abortedAt === undefined || lastCanary === undefined ? undefined : input.abortedAt - lastCanary,
    afterAbort:
      after === undefined ? undefined : { requests: after.length, canary: after.filter(isCanary).length },
    unanswered: samples.filter((s) => s.version === undefined).length,
    analysisStartSeconds:
      input.analysisStartedAt === undefined ? undefined : (input.analysisStartedAt - start) / 1000,
    verdicts,
    analysisPhase: input.analysisPhase,
  };
}

function counts(samples: readonly Sample[]): Counts {
  return { requests: samples.length, errors: samples.filter((s) => s.status >= 500).length };
}
