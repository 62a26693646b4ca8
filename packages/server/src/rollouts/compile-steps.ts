/**
 * The meaning checks of canary steps and analysis references, and their normalised form: the rules
 * of argo-rollouts pkg/apis/rollouts/validation/validation.go that a schema cannot state.
 */
import { compileRegex } from "@ramp/engine";
import { durationSeconds } from "./duration.js";
import { type IssueSink, joinPath, listWords, presentKeys } from "./issues.js";
import type {
  AnalysisArgSpec,
  AnalysisSpec,
  CanaryScale,
  CanaryStep,
  HeaderRoutingMatch,
  RouteMatch,
  StringMatchValue,
} from "./rollout.js";
import type { CanaryStepDocument, RolloutAnalysisDocument, RolloutDocument, StringMatch } from "./spec.js";

const STEP_KINDS = [
  "setWeight",
  "pause",
  "analysis",
  "setCanaryScale",
  "setHeaderRoute",
  "setMirrorRoute",
  "experiment",
  "plugin",
] as const;

/** Resolves `metadata.*` field references (Argo's downward-API args) against the document. */
export type FieldResolver = (fieldPath: string) => string | undefined;

export function fieldResolver(metadata: RolloutDocument["metadata"]): FieldResolver {
  return (fieldPath) => {
    if (fieldPath === "metadata.name") return metadata.name;
    if (fieldPath === "metadata.namespace") return metadata.namespace ?? "";
    const m = /^metadata\.(labels|annotations)\['([^']+)'\]$/.exec(fieldPath);
    if (m === null) return undefined;
    const map = m[1] === "labels" ? metadata.labels : metadata.annotations;
    return map?.[m[2] ?? ""] ?? "";
  };
}

export function compileAnalysis(
  doc: RolloutAnalysisDocument,
  path: string,
  sink: IssueSink,
  resolve: FieldResolver,
): AnalysisSpec {
  const args: AnalysisArgSpec[] = [];
  (doc.args ?? []).forEach((arg, i) => {
    const at = joinPath(joinPath(path, "args"), i);
    if (arg.value !== undefined && arg.valueFrom !== undefined) {
      sink.error(at, `argument '${arg.name}' has both value and valueFrom`, { expected: "one of them" });
      return;
    }
    if (arg.valueFrom === undefined) {
      if (arg.value === undefined) {
        sink.error(at, `argument '${arg.name}' needs a value or a valueFrom`);
        return;
      }
      args.push({ name: arg.name, value: arg.value });
      return;
    }
    const from = arg.valueFrom;
    const fromPath = joinPath(at, "valueFrom");
    const kinds = presentKeys(from, ["podTemplateHashValue", "fieldRef"]);
    if (kinds.length !== 1) {
      sink.error(fromPath, "needs exactly one of podTemplateHashValue and fieldRef");
      return;
    }
    if (from.podTemplateHashValue !== undefined) {
      args.push({ name: arg.name, valueFrom: from.podTemplateHashValue });
      return;
    }
    const fieldPath = from.fieldRef?.fieldPath ?? "";
    const value = resolve(fieldPath);
    if (value === undefined) {
      sink.error(joinPath(joinPath(fromPath, "fieldRef"), "fieldPath"), `cannot resolve '${fieldPath}'`, {
        expected: "metadata.name, metadata.namespace, metadata.labels['key'] or metadata.annotations['key']",
      });
      return;
    }
    args.push({ name: arg.name, value });
  });
  const seen = new Set<string>();
  for (const [i, arg] of (doc.args ?? []).entries()) {
    if (seen.has(arg.name))
      sink.error(joinPath(joinPath(path, "args"), i), `argument '${arg.name}' is repeated`);
    seen.add(arg.name);
  }
  for (const [i, r] of (doc.measurementRetention ?? []).entries()) {
    sink.integer(joinPath(joinPath(joinPath(path, "measurementRetention"), i), "limit"), r.limit);
  }
  return {
    templates: doc.templates.map((r) => ({
      templateName: r.templateName,
      clusterScope: r.clusterScope ?? false,
    })),
    args,
    dryRun: (doc.dryRun ?? []).map((d) => ({ metricName: d.metricName })),
    measurementRetention: (doc.measurementRetention ?? []).map((r) => ({
      metricName: r.metricName,
      limit: r.limit,
    })),
  };
}

/**
 * Argo's StringMatch rule: exactly one of exact, prefix, regex (a regex must compile). Flagger's
 * header matches (Istio's StringMatch) follow the same rule.
 */
export function compileStringMatch(
  doc: StringMatch,
  path: string,
  sink: IssueSink,
): StringMatchValue | undefined {
  const kinds = presentKeys(doc, ["exact", "prefix", "regex"]);
  if (kinds.length !== 1) {
    sink.error(
      path,
      kinds.length === 0
        ? "needs one of exact, prefix and regex"
        : `has ${listWords(kinds)}; a match uses exactly one`,
      { expected: "exactly one of exact, prefix, regex" },
    );
    return undefined;
  }
  if (doc.exact !== undefined) return { exact: doc.exact };
  if (doc.prefix !== undefined) return { prefix: doc.prefix };
  const regex = doc.regex ?? "";
  const compiled = compileRegex(regex);
  if (!compiled.ok) {
    sink.error(joinPath(path, "regex"), `does not compile: ${compiled.message}`, {
      expected: "an RE2 pattern",
    });
    return undefined;
  }
  return { regex };
}

export interface StepContext {
  readonly sink: IssueSink;
  readonly resolve: FieldResolver;
  /** Route names listed in trafficRouting.managedRoutes, when that list is given (Argo checks them). */
  readonly managedRoutes: ReadonlySet<string> | null;
}

export function compileSteps(
  docs: readonly CanaryStepDocument[],
  path: string,
  ctx: StepContext,
): CanaryStep[] {
  const steps: CanaryStep[] = [];
  docs.forEach((doc, i) => {
    const at = joinPath(path, i);
    if (ctx.sink.malformed(at)) return;
    const kinds = presentKeys(doc, STEP_KINDS);
    if (kinds.length !== 1) {
      ctx.sink.error(
        at,
        kinds.length === 0
          ? "a step needs one of setWeight, pause, analysis, setCanaryScale, setHeaderRoute and setMirrorRoute"
          : `a step has exactly one action; this one has ${listWords(kinds)}`,
        { suggestion: kinds.length > 1 ? "split it into one step per action" : undefined },
      );
      return;
    }
    const step = compileStep(doc, at, ctx);
    if (step !== undefined) steps.push(step);
  });
  return steps;
}

function compileStep(doc: CanaryStepDocument, at: string, ctx: StepContext): CanaryStep | undefined {
  const { sink } = ctx;
  if (doc.setWeight !== undefined) {
    return sink.integer(joinPath(at, "setWeight"), doc.setWeight)
      ? { kind: "setWeight", weight: doc.setWeight }
      : undefined;
  }
  if (doc.pause !== undefined) {
    const raw = doc.pause.duration;
    if (raw === undefined) return { kind: "pause", durationSeconds: null };
    const seconds = durationSeconds(raw);
    if (seconds === undefined) {
      sink.error(
        joinPath(joinPath(at, "pause"), "duration"),
        `${JSON.stringify(raw)} is not a valid duration`,
        {
          expected: 'whole seconds, or a duration like "30s", "10m", "1h"',
        },
      );
      return undefined;
    }
    return { kind: "pause", durationSeconds: seconds };
  }
  if (doc.analysis !== undefined) {
    return {
      kind: "analysis",
      analysis: compileAnalysis(doc.analysis, joinPath(at, "analysis"), sink, ctx.resolve),
    };
  }
  if (doc.setCanaryScale !== undefined)
    return compileCanaryScale(doc.setCanaryScale, joinPath(at, "setCanaryScale"), sink);
  if (doc.setHeaderRoute !== undefined) {
    const route = doc.setHeaderRoute;
    const routePath = joinPath(at, "setHeaderRoute");
    checkManaged(route.name, routePath, ctx);
    if (route.match !== undefined && route.match.length === 0) {
      sink.error(joinPath(routePath, "match"), "an empty match would send every request to the canary", {
        suggestion: "leave out `match` to remove the route",
      });
      return undefined;
    }
    const match: HeaderRoutingMatch[] = [];
    (route.match ?? []).forEach((m, j) => {
      const value = compileStringMatch(
        m.headerValue,
        joinPath(joinPath(joinPath(routePath, "match"), j), "headerValue"),
        sink,
      );
      if (value !== undefined) match.push({ headerName: m.headerName, headerValue: value });
    });
    return { kind: "setHeaderRoute", name: route.name, match };
  }
  if (doc.setMirrorRoute !== undefined) {
    const route = doc.setMirrorRoute;
    const routePath = joinPath(at, "setMirrorRoute");
    checkManaged(route.name, routePath, ctx);
    sink.integer(joinPath(routePath, "percentage"), route.percentage);
    if (route.match !== undefined && route.match.length === 0) {
      sink.error(joinPath(routePath, "match"), "is empty", {
        suggestion: "leave out `match` to remove the route",
      });
      return undefined;
    }
    // The built-in proxy mirrors what one set of header conditions selects: say so rather than
    // mirror more (or other) requests than the step asked for.
    if ((route.match ?? []).length > 1)
      sink.error(joinPath(routePath, "match"), "the built-in proxy takes one match entry per mirror route", {
        expected: "one entry whose headers must all match",
      });
    const match: RouteMatch[] = [];
    (route.match ?? []).forEach((m, j) => {
      const mPath = joinPath(joinPath(routePath, "match"), j);
      for (const field of ["method", "path"] as const)
        if (m[field] !== undefined)
          sink.error(
            joinPath(mPath, field),
            `the built-in proxy mirrors by headers only; a ${field} match needs another router`,
            {
              expected: "headers: { NAME: { exact | prefix | regex } }",
            },
          );
      const method = m.method && compileStringMatch(m.method, joinPath(mPath, "method"), sink);
      const path = m.path && compileStringMatch(m.path, joinPath(mPath, "path"), sink);
      const headers: Record<string, StringMatchValue> = {};
      for (const [name, value] of Object.entries(m.headers ?? {})) {
        const compiled = compileStringMatch(value, joinPath(joinPath(mPath, "headers"), name), sink);
        if (compiled !== undefined) headers[name] = compiled;
      }
      match.push({
        ...(method !== undefined && { method }),
        ...(path !== undefined && { path }),
        ...(Object.keys(headers).length > 0 && { headers }),
      });
    });
    return { kind: "setMirrorRoute", name: route.name, percentage: route.percentage ?? 100, match };
  }
  const unsupported = doc.experiment !== undefined ? "experiment" : "plugin";
  sink.error(joinPath(at, unsupported), `${unsupported} steps are not supported by Ramp yet`, {
    suggestion: unsupported === "experiment" ? "use an analysis step, or a Ramp experiment" : undefined,
  });
  return undefined;
}

function compileCanaryScale(
  doc: NonNullable<CanaryStepDocument["setCanaryScale"]>,
  path: string,
  sink: IssueSink,
): CanaryStep | undefined {
  const kinds = [
    ...(doc.matchTrafficWeight === true ? ["matchTrafficWeight"] : []),
    ...presentKeys(doc, ["replicas", "weight"]),
  ];
  if (kinds.length === 0 && doc.matchTrafficWeight === undefined) {
    sink.error(path, "needs one of replicas, weight and matchTrafficWeight");
    return undefined;
  }
  if (kinds.length > 1) {
    // Argo's precedence (UseSetCanaryScale): matchTrafficWeight, then replicas, then weight.
    sink.warn(path, `has ${listWords(kinds)}; only ${kinds[0]} takes effect`);
  }
  if (
    !sink.integer(joinPath(path, "replicas"), doc.replicas) ||
    !sink.integer(joinPath(path, "weight"), doc.weight)
  )
    return undefined;
  let scale: CanaryScale;
  if (doc.matchTrafficWeight === true) scale = { matchTrafficWeight: true };
  else if (doc.replicas !== undefined) scale = { replicas: doc.replicas };
  else if (doc.weight !== undefined) scale = { weight: doc.weight };
  else scale = { matchTrafficWeight: true };
  return { kind: "setCanaryScale", scale };
}

function checkManaged(name: string, path: string, ctx: StepContext): void {
  if (ctx.managedRoutes === null || ctx.managedRoutes.has(name)) return;
  ctx.sink.error(joinPath(path, "name"), `route '${name}' is not listed in trafficRouting.managedRoutes`, {
    expected: `one of ${[...ctx.managedRoutes].join(", ") || "(none listed)"}`,
  });
}
