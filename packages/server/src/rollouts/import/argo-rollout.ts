/**
 * Argo Rollout → Ramp Rollout. Argo's fields stay (Ramp reads the same names); the parts that need
 * Kubernetes are replaced and reported: routers become Ramp's built-in proxy, a workloadRef becomes
 * the referenced Deployment's pod template, experiment and plugin steps go, and the Ramp-only
 * `spec.workload` block is added.
 */
import { findDeployment, keptMetadata, list, type Obj, obj, str } from "./documents.js";
import { type DocumentReport, joinPath } from "./report.js";
import { validateRollout } from "./validate.js";
import { type ImportOptions, proxyRouting, workloadFor } from "./workload.js";

export const RAMP_API_VERSION = "ramp.dev/v1alpha1";

/** Argo's traffic routers that need Kubernetes (or a mesh), with the name users know them by. */
const ROUTERS: Readonly<Record<string, string>> = {
  istio: "Istio",
  nginx: "the NGINX Ingress controller",
  alb: "the AWS Load Balancer Controller",
  smi: "SMI",
  ambassador: "Ambassador",
  appMesh: "AWS App Mesh",
  traefik: "Traefik",
  apisix: "Apache APISIX",
  plugins: "a traffic router plugin",
};

export interface ConvertedRollout {
  readonly rollout: Obj | undefined;
  /** Input index of the Deployment a workloadRef used, so it is not reported as skipped. */
  readonly usedDeployment?: number;
}

export function convertArgoRollout(
  doc: Obj,
  all: readonly unknown[],
  options: ImportOptions,
  report: DocumentReport,
): ConvertedRollout {
  const name = str(obj(doc.metadata)?.name);
  if (name === undefined || name === "") {
    report.error("metadata.name", "required: the rollout's name");
    return { rollout: undefined };
  }
  const spec = obj(doc.spec);
  if (spec === undefined) {
    report.error("spec", "required: the rollout's strategy");
    return { rollout: undefined };
  }
  const out: Obj = { ...spec };
  let usedDeployment: number | undefined;
  if (spec.workloadRef !== undefined) {
    delete out.workloadRef;
    const refName = str(obj(spec.workloadRef)?.name);
    const deployment = refName === undefined ? undefined : findDeployment(all, refName);
    if (deployment !== undefined && out.template === undefined) {
      usedDeployment = deployment.index;
      out.template = deployment.spec.template;
      if (out.selector === undefined && deployment.spec.selector !== undefined)
        out.selector = deployment.spec.selector;
      report.note("spec.workloadRef", `replaced by the pod template of Deployment ${refName} in this file`);
    } else if (out.template === undefined) {
      report.unsupported(
        "spec.workloadRef",
        `a workload reference needs Kubernetes${refName === undefined ? "" : ` (Deployment ${refName} is not in this file)`}`,
        "import the Deployment in the same file, or pass --version VERSION",
      );
    }
  }
  if (options.version !== undefined) out.version = options.version;
  const strategy = obj(spec.strategy);
  const canary = obj(strategy?.canary);
  const blueGreen = obj(strategy?.blueGreen);
  let placeholders = { stable: `http://${name}-stable`, canary: `http://${name}-canary` };
  if (canary !== undefined) {
    out.strategy = { ...strategy, canary: convertCanary(canary, options, report) };
    placeholders = servicePlaceholders(canary.stableService, canary.canaryService, placeholders);
  } else if (blueGreen !== undefined) {
    out.strategy = { ...strategy, blueGreen: convertBlueGreen(blueGreen, options, report) };
    placeholders = servicePlaceholders(blueGreen.activeService, blueGreen.previewService, placeholders);
  }
  out.workload = workloadFor(options, spec.workload, placeholders, report);
  const rollout: Obj = {
    apiVersion: RAMP_API_VERSION,
    kind: "Rollout",
    metadata: keptMetadata(doc.metadata, name),
    spec: out,
  };
  const ok = validateRollout(rollout, report);
  return { rollout: ok ? rollout : undefined, ...(usedDeployment !== undefined && { usedDeployment }) };
}

function servicePlaceholders(
  stable: unknown,
  canary: unknown,
  fallback: { stable: string; canary: string },
): { stable: string; canary: string } {
  const s = str(stable);
  const c = str(canary);
  return {
    stable: s === undefined || s === "" ? fallback.stable : `http://${s}`,
    canary: c === undefined || c === "" ? fallback.canary : `http://${c}`,
  };
}

const CANARY = "spec.strategy.canary";

function convertCanary(canary: Obj, options: ImportOptions, report: DocumentReport): Obj {
  const out: Obj = { ...canary };
  const routing = obj(canary.trafficRouting);
  const routingPath = joinPath(CANARY, "trafficRouting");
  const replacement = proxyRouting(options);
  const instead = `Ramp's built-in proxy splits the traffic: trafficRouting.proxy.listen "${replacement.proxy.listen}" (choose with --listen HOST:PORT)`;
  if (options.previewListen !== undefined)
    report.note(
      CANARY,
      "--preview-listen is not used: it gives a blue-green rollout's previewService an entry point, and this rollout is a canary",
    );
  let maxWeight: number | undefined;
  if (routing === undefined) {
    report.note(CANARY, "has no trafficRouting: Argo approximates the weights with replica counts", instead);
    out.trafficRouting = replacement;
  } else {
    const r: Obj = { ...routing };
    for (const [key, label] of Object.entries(ROUTERS)) {
      if (routing[key] === undefined) continue;
      const nginx =
        key === "nginx"
          ? "; or an nginx you run: trafficRouting.nginx with configFile (docs/routers.md)"
          : "";
      report.unsupported(
        joinPath(routingPath, key),
        `routing through ${label} needs Kubernetes`,
        instead + nginx,
      );
      delete r[key];
    }
    if (typeof routing.maxTrafficWeight === "number" && routing.maxTrafficWeight > 0) {
      maxWeight = routing.maxTrafficWeight;
      delete r.maxTrafficWeight;
      report.note(
        joinPath(routingPath, "maxTrafficWeight"),
        `setWeight values are rescaled from 0–${maxWeight} to Ramp's 0–100`,
      );
    }
    if (options.listen !== undefined || r.proxy === undefined) r.proxy = replacement.proxy;
    out.trafficRouting = r;
  }
  const dropped: number[] = [];
  if (canary.steps !== undefined) {
    out.steps = list(canary.steps).flatMap((s, i) => {
      const step = obj(s);
      const at = joinPath(joinPath(CANARY, "steps"), i);
      if (step === undefined) return [s];
      if (step.experiment !== undefined) {
        report.unsupported(
          joinPath(at, "experiment"),
          "experiment steps (extra ReplicaSets run side by side) are not supported; the step is dropped",
          "an analysis step measures the canary itself",
        );
        dropped.push(i);
        return [];
      }
      if (step.plugin !== undefined) {
        report.unsupported(
          joinPath(at, "plugin"),
          "Argo step plugins do not run in Ramp; the step is dropped",
          "an analysis step (web or command provider) can call what the plugin did",
        );
        dropped.push(i);
        return [];
      }
      if (maxWeight !== undefined && typeof step.setWeight === "number")
        return [{ ...step, setWeight: Math.round((step.setWeight * 100) / maxWeight) }];
      if (step.analysis !== undefined)
        return [{ ...step, analysis: rolloutAnalysis(step.analysis, joinPath(at, "analysis"), report) }];
      return [step];
    });
  }
  const background = obj(canary.analysis);
  if (background !== undefined) {
    const at = joinPath(CANARY, "analysis");
    const converted = rolloutAnalysis(background, at, report);
    const start = background.startingStep;
    if (typeof start === "number" && dropped.some((d) => d < start)) {
      const shifted = start - dropped.filter((d) => d < start).length;
      converted.startingStep = shifted;
      report.note(joinPath(at, "startingStep"), `is ${shifted}: dropped steps came before it`);
    }
    out.analysis = converted;
  }
  return out;
}

const BLUE_GREEN = "spec.strategy.blueGreen";

function convertBlueGreen(blueGreen: Obj, options: ImportOptions, report: DocumentReport): Obj {
  const out: Obj = { ...blueGreen };
  const routing = obj(blueGreen.trafficRouting);
  const existing = obj(routing?.proxy);
  const replaced = existing === undefined || options.listen !== undefined;
  const proxy: Obj = replaced ? { ...proxyRouting(options).proxy } : { ...existing };
  const previewService = str(blueGreen.previewService) ?? "";
  if (previewService !== "" && options.previewListen !== undefined)
    proxy.previewListen = options.previewListen;
  out.trafficRouting = replaced ? { proxy } : { ...routing, proxy };
  if (replaced) {
    const preview =
      proxy.previewListen === undefined
        ? ""
        : `, and on "${String(proxy.previewListen)}" the preview service`;
    report.note(
      BLUE_GREEN,
      "Argo switches the selectors of Kubernetes Services (activeService, previewService)",
      `Ramp's built-in proxy on "${String(proxy.listen)}" plays the active service (choose with --listen HOST:PORT)${preview}`,
    );
  }
  if (previewService !== "" && proxy.previewListen === undefined && proxy.previewHeader === undefined)
    report.note(
      joinPath(BLUE_GREEN, "previewService"),
      `${previewService} has no entry point: without trafficRouting.proxy.previewListen nothing reaches the new version before the switch`,
      "import again with --preview-listen HOST:PORT (every request there goes to the new version), or add previewListen by hand (docs/routers.md)",
    );
  if (previewService === "" && options.previewListen !== undefined)
    report.note(BLUE_GREEN, "has no previewService: --preview-listen is not used for this rollout");
  for (const key of ["prePromotionAnalysis", "postPromotionAnalysis"] as const) {
    if (blueGreen[key] !== undefined)
      out[key] = rolloutAnalysis(blueGreen[key], joinPath(BLUE_GREEN, key), report);
  }
  return out;
}

/** A rollout's analysis block: arguments read from Secrets or pod status cannot be resolved off Kubernetes. */
function rolloutAnalysis(value: unknown, path: string, report: DocumentReport): Obj {
  const analysis = obj(value);
  if (analysis === undefined) return {};
  if (analysis.args === undefined) return { ...analysis };
  const args = list(analysis.args).flatMap((a, i) => {
    const arg = obj(a);
    const from = obj(arg?.valueFrom);
    if (arg === undefined || from === undefined) return [a];
    const at = joinPath(joinPath(joinPath(path, "args"), i), "valueFrom");
    if (from.secretKeyRef !== undefined) {
      report.unsupported(
        joinPath(at, "secretKeyRef"),
        `Ramp reads no Kubernetes Secrets; argument '${str(arg.name) ?? ""}' is dropped`,
        "give the value with `value:` (or a template default)",
      );
      return [];
    }
    const field = str(obj(from.fieldRef)?.fieldPath);
    if (field !== undefined && !field.startsWith("metadata.")) {
      report.unsupported(
        joinPath(joinPath(at, "fieldRef"), "fieldPath"),
        `'${field}' is a Kubernetes object field Ramp does not have; argument '${str(arg.name) ?? ""}' is dropped`,
        "metadata.name, metadata.namespace, metadata.labels['k'] and metadata.annotations['k'] resolve",
      );
      return [];
    }
    return [a];
  });
  return { ...analysis, args };
}
