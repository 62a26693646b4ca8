/**
 * The meaning checks of a Flagger-shaped `spec.analysis` and its normalised form: Flagger's own
 * rules (stepWeight or stepWeights, iterations for blue/green and A/B) plus what Ramp can honour.
 */
import { nearest } from "@ramp/engine";
import { compileStringMatch } from "./compile-steps.js";
import { durationSeconds, formatSeconds } from "./duration.js";
import {
  FLAGGER_ANALYSIS_KEYS,
  type FlaggerMetricDocument,
  type FlaggerWebhookDocument,
  type RolloutSpecAnalysisDocument,
} from "./flagger-spec.js";
import {
  DEFAULT_ANALYSIS_INTERVAL_SECONDS,
  DEFAULT_METRIC_INTERVAL_SECONDS,
  DEFAULT_THRESHOLD,
  DEFAULT_WEBHOOK_TIMEOUT_SECONDS,
  FLAGGER_BUILTIN_METRICS,
  type FlaggerAnalysis,
  type FlaggerMetric,
  type FlaggerMode,
  type FlaggerWebhook,
  LOAD_TEST_URL,
} from "./flagger-types.js";
import { type IssueSink, joinPath, presentKeys } from "./issues.js";
import { parseHeyCommand } from "./load-test/hey.js";
import type { CanaryStrategy, FlaggerStrategy, HeaderRoutingMatch } from "./rollout.js";
import type { RolloutSpecDocument } from "./spec.js";

/**
 * The Flagger strategy from a compiled canary: its router and delays, the steps computed by the
 * analysis. Steps (or a background analysis) beside a Flagger analysis are an error.
 */
export function flaggerStrategy(
  spec: RolloutSpecDocument,
  canaryDoc: { readonly steps?: readonly unknown[] | undefined; readonly analysis?: unknown },
  canary: CanaryStrategy | undefined,
  sink: IssueSink,
): FlaggerStrategy | undefined {
  if (canaryDoc.steps !== undefined)
    sink.error(
      "spec.strategy.canary.steps",
      "a Flagger-style spec.analysis computes the steps; remove steps or the Flagger fields",
    );
  if (canaryDoc.analysis !== undefined)
    sink.error(
      "spec.strategy.canary.analysis",
      "a background analysis runs beside steps; with a Flagger-style spec.analysis, list the checks in spec.analysis.metrics",
    );
  const analysis =
    spec.analysis === undefined ? undefined : compileFlaggerAnalysis(spec.analysis, "spec.analysis", sink);
  if (canary === undefined || analysis === undefined) return undefined;
  return {
    kind: "flagger",
    analysis,
    canaryService: canary.canaryService,
    stableService: canary.stableService,
    router: canary.router,
    scaleDownDelaySeconds: canary.scaleDownDelaySeconds,
    abortScaleDownDelaySeconds: canary.abortScaleDownDelaySeconds,
  };
}

/** Whether `spec.analysis` uses any Flagger field (Argo's history limits alone do not count). */
export function isFlaggerAnalysis(doc: RolloutSpecAnalysisDocument | undefined): boolean {
  return doc !== undefined && presentKeys(doc, FLAGGER_ANALYSIS_KEYS).length > 0;
}

export function compileFlaggerAnalysis(
  doc: RolloutSpecAnalysisDocument,
  path: string,
  sink: IssueSink,
): FlaggerAnalysis | undefined {
  const at = (key: string) => joinPath(path, key);
  for (const key of [
    "threshold",
    "maxWeight",
    "stepWeight",
    "stepWeightPromotion",
    "iterations",
    "mirrorWeight",
  ] as const)
    sink.integer(at(key), doc[key]);
  const intervalSeconds = seconds(doc.interval, at("interval"), sink) ?? DEFAULT_ANALYSIS_INTERVAL_SECONDS;
  if (intervalSeconds <= 0)
    sink.error(at("interval"), "must be longer than 0s", { expected: 'a duration like "1m"' });

  const stepWeights = doc.stepWeights ?? [];
  stepWeights.forEach((w, i) => {
    const p = joinPath(at("stepWeights"), i);
    if (!sink.integer(p, w)) return;
    if (w < 1) sink.error(p, `${w} is below 1`, { expected: "weights from 1 to 100" });
    const before = stepWeights[i - 1];
    if (before !== undefined && w <= before)
      sink.error(p, `${w} does not increase on ${before}`, { expected: "strictly increasing weights" });
  });
  if (doc.stepWeight !== undefined && doc.stepWeights !== undefined)
    sink.error(at("stepWeights"), "is set together with stepWeight; Flagger takes one of them", {
      suggestion: "keep stepWeights (explicit weights) or stepWeight (a fixed increment)",
    });
  if (doc.stepWeights !== undefined && doc.maxWeight !== undefined)
    sink.warn(
      at("maxWeight"),
      `is ignored: with stepWeights the last weight (${stepWeights.at(-1)}) is the maximum`,
    );
  if (doc.stepWeight === 0) sink.error(at("stepWeight"), "must be at least 1", { expected: "1–100" });

  const iterations = doc.iterations ?? 0;
  const match = compileMatch(doc.match, at("match"), sink);
  let mode: FlaggerMode = "canary";
  if (doc.match !== undefined) {
    mode = "abTesting";
    if (iterations < 1)
      sink.error(
        at("match"),
        "A/B testing (match) needs iterations: how many intervals the matched requests are analysed",
        {
          suggestion: "add iterations: 10",
        },
      );
    if (doc.mirror === true) sink.error(at("mirror"), "cannot be used with match (A/B testing)");
  } else if (iterations > 0) {
    mode = "blueGreen";
    for (const key of ["stepWeight", "stepWeights"] as const)
      if (doc[key] !== undefined)
        sink.error(
          at(key),
          `is set with iterations: iterations without match is blue/green, which moves no weight in steps`,
          {
            suggestion: `remove ${key} (blue/green) or iterations (progressive canary)`,
          },
        );
  } else if (doc.stepWeight === undefined && doc.stepWeights === undefined) {
    sink.error(
      path,
      "a Flagger analysis needs stepWeight or stepWeights (canary), or iterations (blue/green, A/B with match)",
      {
        expected: "stepWeight: 10 and maxWeight: 50, stepWeights: [5, 10, 25, 50], or iterations: 10",
      },
    );
  }
  if (mode === "blueGreen" && doc.stepWeightPromotion !== undefined)
    sink.warn(
      at("stepWeightPromotion"),
      "is ignored by blue/green: the new version already has all traffic when it is promoted",
    );
  if (doc.alerts !== undefined)
    sink.warn(at("alerts"), "Flagger's alerts are not supported", { suggestion: "use spec.notifications" });

  const metrics = compileMetrics(doc.metrics ?? [], at("metrics"), sink);
  const webhooks = compileWebhooks(doc.webhooks ?? [], at("webhooks"), sink);
  const last = stepWeights.at(-1);
  return {
    mode,
    intervalSeconds,
    threshold: doc.threshold ?? DEFAULT_THRESHOLD,
    maxWeight:
      last !== undefined
        ? Math.min(100, last)
        : doc.maxWeight !== undefined && doc.maxWeight > 0
          ? doc.maxWeight
          : 100,
    stepWeight: doc.stepWeight ?? 0,
    stepWeights,
    stepWeightPromotion: doc.stepWeightPromotion ?? 0,
    iterations,
    match,
    mirror: doc.mirror ?? false,
    mirrorWeight: doc.mirrorWeight ?? 100,
    metrics,
    webhooks,
  };
}

function seconds(value: number | string | undefined, path: string, sink: IssueSink): number | undefined {
  if (value === undefined) return undefined;
  const s = durationSeconds(value);
  if (s === undefined)
    sink.error(path, `${JSON.stringify(value)} is not a valid duration`, {
      expected: 'a duration like "30s", "1m"',
    });
  return s;
}

function compileMatch(
  docs: RolloutSpecAnalysisDocument["match"],
  path: string,
  sink: IssueSink,
): HeaderRoutingMatch[] {
  const out: HeaderRoutingMatch[] = [];
  (docs ?? []).forEach((m, i) => {
    const at = joinPath(path, i);
    for (const key of ["uri", "method", "queryParams", "sourceLabels"] as const)
      if (m[key] !== undefined)
        sink.error(
          joinPath(at, key),
          `Ramp's routers match requests by headers; a ${key} match is not supported`,
          {
            expected: "headers: { NAME: { exact | prefix | regex } }",
          },
        );
    const headers = Object.entries(m.headers ?? {});
    if (headers.length !== 1) {
      sink.error(
        joinPath(at, "headers"),
        headers.length === 0 ? "needs a header to match" : "Ramp's routers match one header per entry",
        {
          expected: "one header per entry; several entries are alternatives (any one matches)",
        },
      );
    }
    for (const [name, value] of headers.slice(0, 1)) {
      const compiled = compileStringMatch(value, joinPath(joinPath(at, "headers"), name), sink);
      if (compiled !== undefined) out.push({ headerName: name, headerValue: compiled });
    }
  });
  return out;
}

function compileMetrics(
  docs: readonly FlaggerMetricDocument[],
  path: string,
  sink: IssueSink,
): FlaggerMetric[] {
  const out: FlaggerMetric[] = [];
  const names = new Set<string>();
  docs.forEach((m, i) => {
    const at = joinPath(path, i);
    if (names.has(m.name)) sink.error(joinPath(at, "name"), `metric '${m.name}' is listed twice`);
    names.add(m.name);
    if (m.query !== undefined) {
      sink.error(joinPath(at, "query"), "Flagger's inline query is deprecated and not supported by Ramp", {
        suggestion: "put the query in an AnalysisTemplate and refer to it with templateRef: { name: ... }",
      });
      return;
    }
    const builtin = FLAGGER_BUILTIN_METRICS.find((b) => b === m.name) ?? null;
    if (builtin === null && m.templateRef === undefined) {
      const guess = nearest(m.name, FLAGGER_BUILTIN_METRICS);
      sink.error(joinPath(at, "name"), `'${m.name}' is not a built-in metric and has no templateRef`, {
        expected: "request-success-rate, request-duration, or a templateRef to an AnalysisTemplate",
        suggestion:
          guess === undefined ? "add templateRef: { name: <template> }" : `did you mean '${guess}'?`,
      });
      return;
    }
    let min = m.thresholdRange?.min ?? null;
    const max = m.thresholdRange?.max ?? null;
    if (m.threshold !== undefined) {
      if (m.thresholdRange !== undefined)
        sink.error(joinPath(at, "threshold"), "is set with thresholdRange; use thresholdRange only");
      else {
        sink.warn(joinPath(at, "threshold"), "is deprecated in Flagger", {
          suggestion: `thresholdRange: { min: ${m.threshold} }`,
        });
        min = m.threshold;
      }
    }
    if (min === null && max === null) {
      sink.error(joinPath(at, "thresholdRange"), "is required: without a range the check cannot fail", {
        expected: "thresholdRange: { min: 99 } or { max: 500 }",
      });
      return;
    }
    if (min !== null && max !== null && min > max)
      sink.error(joinPath(at, "thresholdRange"), `min ${min} is above max ${max}; no value could pass`);
    const interval = seconds(m.interval, joinPath(at, "interval"), sink) ?? DEFAULT_METRIC_INTERVAL_SECONDS;
    if (interval <= 0) sink.error(joinPath(at, "interval"), "must be longer than 0s");
    out.push({
      name: m.name,
      builtin: m.templateRef === undefined ? builtin : null,
      templateRef:
        m.templateRef === undefined
          ? null
          : { name: m.templateRef.name, namespace: m.templateRef.namespace ?? null },
      min,
      max,
      interval: formatSeconds(Math.max(1, interval)),
      templateVariables: m.templateVariables ?? {},
    });
  });
  return out;
}

function compileWebhooks(
  docs: readonly FlaggerWebhookDocument[],
  path: string,
  sink: IssueSink,
): FlaggerWebhook[] {
  const out: FlaggerWebhook[] = [];
  const names = new Set<string>();
  docs.forEach((w, i) => {
    const at = joinPath(path, i);
    if (names.has(w.name))
      sink.error(joinPath(at, "name"), `webhook '${w.name}' is listed twice; names identify the calls`);
    names.add(w.name);
    sink.integer(joinPath(at, "retries"), w.retries);
    const type = w.type ?? "rollout";
    if (w.url === LOAD_TEST_URL) {
      if (type !== "rollout" && type !== "pre-rollout")
        sink.error(
          joinPath(at, "type"),
          `${LOAD_TEST_URL} generates traffic during the analysis; it is a rollout (or pre-rollout) webhook`,
        );
      const cmd = w.metadata?.cmd;
      if (cmd === undefined)
        sink.error(joinPath(at, "metadata"), `${LOAD_TEST_URL} needs metadata.cmd`, {
          expected: 'cmd: "hey -z 1m -q 10 -c 2"',
        });
      else {
        const plan = parseHeyCommand(cmd);
        if (!plan.ok)
          sink.error(joinPath(joinPath(at, "metadata"), "cmd"), plan.message, {
            expected: 'like "hey -z 1m -q 10 -c 2"',
          });
      }
      const url = w.metadata?.url;
      if (url !== undefined && !/^https?:\/\//.test(url))
        sink.error(joinPath(joinPath(at, "metadata"), "url"), `'${url}' is not an http(s) URL`);
    } else if (!/^https?:\/\/[^/\s]+/.test(w.url)) {
      sink.error(joinPath(at, "url"), `'${w.url}' is not an http(s) URL`, {
        expected: `an http(s) URL, or ${LOAD_TEST_URL}`,
      });
    }
    const timeout = seconds(w.timeout, joinPath(at, "timeout"), sink) ?? DEFAULT_WEBHOOK_TIMEOUT_SECONDS;
    if (w.timeout !== undefined && timeout <= 0)
      sink.error(joinPath(at, "timeout"), "must be longer than 0s");
    if (w.disableTLS === true)
      sink.warn(joinPath(at, "disableTLS"), "is ignored: Ramp verifies TLS certificates");
    out.push({
      name: w.name,
      type,
      url: w.url,
      timeoutSeconds: timeout > 0 ? timeout : DEFAULT_WEBHOOK_TIMEOUT_SECONDS,
      retries: w.retries ?? 0,
      metadata: w.metadata ?? {},
      muteAlert: w.muteAlert ?? false,
    });
  });
  return out;
}
