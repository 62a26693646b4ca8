/**
 * Turns a Rollout document into the RolloutSpec the controller runs: the structural check of the
 * schema (spec.ts), then the meaning checks Argo's validation makes, every problem with its path.
 * Never throws.
 */
import { checkStructure, type Issue, isPlainObject, UNKNOWN_FIELD } from "@ramp/engine";
import { compileNotifications } from "../plugins/notifiers/config.js";
import { compileRouter, proxyRouterSpec, ROUTER_KINDS } from "./compile-router.js";
import { compileAnalysis, compileSteps, type FieldResolver, fieldResolver } from "./compile-steps.js";
import { compileWorkload } from "./compile-workload.js";
import { flaggerStrategy, isFlaggerAnalysis } from "./flagger-compile.js";
import { IssueSink, joinPath } from "./issues.js";
import {
  type BlueGreenStrategy,
  type CanaryStrategy,
  DEFAULT_ABORT_SCALE_DOWN_DELAY_SECONDS,
  DEFAULT_SCALE_DOWN_DELAY_SECONDS,
  type ProxyPreviewSpec,
  type RolloutSpec,
  type RolloutStrategy,
  type RouterSpec,
} from "./rollout.js";
import {
  type BlueGreenProxyRouting,
  type RolloutDocument,
  type RolloutSpecDocument,
  rolloutDocument,
  VERSION_NAME,
} from "./spec.js";

export type CompileRolloutResult =
  | {
      readonly ok: true;
      readonly rollout: RolloutSpec;
      readonly document: RolloutDocument;
      readonly issues: Issue[];
    }
  | { readonly ok: false; readonly issues: Issue[] };

const OTHER_ROUTERS = [
  "istio",
  "smi",
  "alb",
  "ambassador",
  "appMesh",
  "traefik",
  "apisix",
  "plugins",
] as const;

/**
 * Validates and normalises one Rollout document. `issues` holds errors and warnings; `ok` is false
 * when there is any error.
 *
 * @example compileRollout(parse(readFileSync("examples/rollout.yaml", "utf8")))
 */
export function compileRollout(doc: unknown): CompileRolloutResult {
  const structural: Issue[] = [];
  checkStructure(rolloutDocument, doc, "", structural);
  const sink = new IssueSink(
    structural,
    structural.filter((i) => !UNKNOWN_FIELD.has(i)),
  );
  if (!isPlainObject(doc) || sink.malformed("metadata") || sink.malformed("spec") || sink.malformed("kind")) {
    return { ok: false, issues: sink.list };
  }
  const document = doc as RolloutDocument;
  const spec = document.spec;
  const resolve = fieldResolver(document.metadata);

  if (!sink.integer("spec.replicas", spec.replicas)) return { ok: false, issues: sink.list };
  const version = compileVersion(spec, sink);
  const strategy = compileStrategy(spec, sink, resolve);
  const workload =
    spec.workload === undefined || sink.malformed("spec.workload")
      ? null
      : compileWorkload(spec.workload, "spec.workload", sink);
  const notes =
    spec.notifications === undefined || sink.malformed("spec.notifications")
      ? undefined
      : compileNotifications(spec.notifications, "spec.notifications");
  if (notes !== undefined) sink.list.push(...notes.issues);
  if (spec.workload === undefined) {
    sink.warn(
      "spec.workload",
      "no workload: Ramp runs versions off Kubernetes with the process or static platform",
      {
        suggestion: "add spec.workload: { platform: process, command: [...] }",
      },
    );
  }
  if (spec.paused === true) {
    sink.warn("spec.paused", "is ignored: Ramp pauses a rollout with a command", {
      suggestion: "ramp rollouts pause <name>",
    });
  }
  if (spec.workloadRef !== undefined) {
    sink.error("spec.workloadRef", "a workload reference is not supported by Ramp", {
      suggestion: "put the pod template in spec.template, or set spec.version",
    });
  }
  if (sink.hasErrors || version === undefined || strategy === undefined)
    return { ok: false, issues: sink.list };
  return {
    ok: true,
    document,
    issues: sink.list,
    rollout: {
      name: document.metadata.name,
      namespace: document.metadata.namespace ?? null,
      version,
      replicas: spec.replicas ?? 1,
      strategy,
      workload,
      ...(notes !== undefined && notes.notifications.length > 0 && { notifications: notes.notifications }),
    },
  };
}

/** The version to roll out: spec.version, else the tag (or digest) of the first container's image. */
function compileVersion(spec: RolloutSpecDocument, sink: IssueSink): string | undefined {
  if (spec.version !== undefined) return spec.version;
  const template = spec.template;
  const containers =
    isPlainObject(template) && isPlainObject(template.spec) ? template.spec.containers : undefined;
  const first = Array.isArray(containers) ? containers[0] : undefined;
  const image = isPlainObject(first) ? first.image : undefined;
  if (typeof image !== "string") {
    sink.error(
      template === undefined ? "spec.template" : "spec.template.spec.containers[0].image",
      "cannot tell the version: no container image",
      { expected: "an image like myorg/payment:v2.0.0", suggestion: "or set spec.version" },
    );
    return undefined;
  }
  const tag = imageTag(image);
  const path = "spec.template.spec.containers[0].image";
  if (tag === undefined) {
    sink.error(path, `image '${image}' has no tag to name the version`, {
      expected: "an image like myorg/payment:v2.0.0",
      suggestion: "add a tag, or set spec.version",
    });
    return undefined;
  }
  if (!new RegExp(VERSION_NAME).test(tag)) {
    sink.error(path, `the tag '${tag}' is not a usable version name`, { suggestion: "set spec.version" });
    return undefined;
  }
  return tag;
}

/**
 * `myorg/payment:v2.0.0` → `v2.0.0`; `registry:5000/app:1.2` → `1.2`; `app@sha256:ab…` → `sha256:ab…`
 * (a tag wins over a digest: it is the name people use).
 */
export function imageTag(image: string): string | undefined {
  const [name = "", digest] = image.split("@", 2);
  const slash = name.lastIndexOf("/");
  const colon = name.lastIndexOf(":");
  if (colon > slash) return name.slice(colon + 1) || undefined;
  return digest === undefined || digest === "" ? undefined : digest;
}

function compileStrategy(
  spec: RolloutSpecDocument,
  sink: IssueSink,
  resolve: FieldResolver,
): RolloutStrategy | undefined {
  if (sink.malformed("spec.strategy")) return undefined;
  const { canary, blueGreen } = spec.strategy;
  if (canary !== undefined && blueGreen !== undefined) {
    sink.error("spec.strategy", "has both canary and blueGreen; a rollout uses one strategy");
    return undefined;
  }
  const flagger = isFlaggerAnalysis(spec.analysis) && !sink.malformed("spec.analysis");
  if (canary !== undefined) {
    const compiled = compileCanary(canary, "spec.strategy.canary", sink, resolve);
    return flagger ? flaggerStrategy(spec, canary, compiled, sink) : compiled;
  }
  if (flagger)
    sink.error(
      "spec.analysis",
      "Flagger's analysis drives a canary: it needs strategy.canary with trafficRouting, not blueGreen",
      { suggestion: "for blue/green the Flagger way, use strategy.canary and analysis.iterations" },
    );
  if (blueGreen !== undefined) return compileBlueGreen(blueGreen, "spec.strategy.blueGreen", sink, resolve);
  sink.error("spec.strategy", "needs canary or blueGreen", {
    expected: "canary: { steps: [...] } or blueGreen: {...}",
  });
  return undefined;
}

type CanaryDocument = NonNullable<RolloutSpecDocument["strategy"]["canary"]>;
type BlueGreenDocument = NonNullable<RolloutSpecDocument["strategy"]["blueGreen"]>;

function compileCanary(
  doc: CanaryDocument,
  path: string,
  sink: IssueSink,
  resolve: FieldResolver,
): CanaryStrategy | undefined {
  if (doc.canaryService && doc.stableService && doc.canaryService === doc.stableService) {
    sink.error(
      joinPath(path, "stableService"),
      "is the same service as canaryService; two different services are needed",
    );
  }
  for (const key of [
    "scaleDownDelaySeconds",
    "abortScaleDownDelaySeconds",
    "minPodsPerReplicaSet",
  ] as const) {
    sink.integer(joinPath(path, key), doc[key]);
  }
  if (doc.dynamicStableScale === true) {
    sink.warn(
      joinPath(path, "dynamicStableScale"),
      "is not supported: the stable version stays fully scaled",
    );
  }
  const routingPath = joinPath(path, "trafficRouting");
  const routing = doc.trafficRouting;
  let router: RouterSpec | undefined;
  if (routing === undefined) {
    sink.error(routingPath, "is required: Ramp splits traffic with its proxy, not by replica counts", {
      suggestion: 'add trafficRouting: { proxy: { listen: "127.0.0.1:8080" } }',
    });
  } else if (!sink.malformed(routingPath)) {
    for (const other of OTHER_ROUTERS) {
      if (routing[other] === undefined) continue;
      sink.error(joinPath(routingPath, other), `the ${other} traffic router is not in Ramp yet`, {
        suggestion: 'route with trafficRouting.proxy: { listen: "127.0.0.1:8080" }, nginx or haproxy',
      });
    }
    if (routing.maxTrafficWeight !== undefined) {
      sink.error(
        joinPath(routingPath, "maxTrafficWeight"),
        "is not supported: Ramp's setWeight is a percentage (0–100, in steps of 0.1)",
        { suggestion: "remove it and write each setWeight as a percentage" },
      );
    }
    router = compileRouter(routing, routingPath, sink, doc.steps ?? [], joinPath(path, "steps"));
    if (
      ROUTER_KINDS.every((k) => routing[k] === undefined) &&
      OTHER_ROUTERS.every((o) => routing[o] === undefined)
    ) {
      sink.error(routingPath, "names no router", { suggestion: 'add proxy: { listen: "127.0.0.1:8080" }' });
    }
  }
  const managed = routing?.managedRoutes;
  const steps = compileSteps(doc.steps ?? [], joinPath(path, "steps"), {
    sink,
    resolve,
    managedRoutes: managed === undefined ? null : new Set(managed.map((r) => r.name)),
  });
  let background: CanaryStrategy["background"] = null;
  if (doc.analysis !== undefined && !sink.malformed(joinPath(path, "analysis"))) {
    const bgPath = joinPath(path, "analysis");
    const startingStep = doc.analysis.startingStep ?? 0;
    sink.integer(joinPath(bgPath, "startingStep"), startingStep);
    if (startingStep > (doc.steps ?? []).length) {
      sink.warn(
        joinPath(bgPath, "startingStep"),
        `is past the last step (${(doc.steps ?? []).length}): the background analysis never runs`,
      );
    }
    background = { ...compileAnalysis(doc.analysis, bgPath, sink, resolve), startingStep };
  }
  if (router === undefined) return undefined;
  return {
    kind: "canary",
    steps,
    canaryService: doc.canaryService || null,
    stableService: doc.stableService || null,
    router,
    background,
    scaleDownDelaySeconds: doc.scaleDownDelaySeconds ?? DEFAULT_SCALE_DOWN_DELAY_SECONDS,
    abortScaleDownDelaySeconds: doc.abortScaleDownDelaySeconds ?? DEFAULT_ABORT_SCALE_DOWN_DELAY_SECONDS,
    minPodsPerReplicaSet: doc.minPodsPerReplicaSet ?? null,
  };
}

function compileBlueGreen(
  doc: BlueGreenDocument,
  path: string,
  sink: IssueSink,
  resolve: FieldResolver,
): BlueGreenStrategy | undefined {
  if (doc.activeService === doc.previewService) {
    sink.error(
      joinPath(path, "previewService"),
      "is the same service as activeService; two different services are needed",
    );
  }
  for (const key of [
    "autoPromotionSeconds",
    "scaleDownDelaySeconds",
    "abortScaleDownDelaySeconds",
    "previewReplicaCount",
  ] as const) {
    sink.integer(joinPath(path, key), doc[key]);
  }
  const analysis = (key: "prePromotionAnalysis" | "postPromotionAnalysis") => {
    const value = doc[key];
    return value === undefined || sink.malformed(joinPath(path, key))
      ? null
      : compileAnalysis(value, joinPath(path, key), sink, resolve);
  };
  const proxy = doc.trafficRouting?.proxy;
  const proxyPath = joinPath(joinPath(path, "trafficRouting"), "proxy");
  return {
    kind: "blueGreen",
    activeService: doc.activeService,
    previewService: doc.previewService || null,
    autoPromotionEnabled: doc.autoPromotionEnabled ?? true,
    autoPromotionSeconds: doc.autoPromotionSeconds ?? 0,
    prePromotionAnalysis: analysis("prePromotionAnalysis"),
    postPromotionAnalysis: analysis("postPromotionAnalysis"),
    scaleDownDelaySeconds: doc.scaleDownDelaySeconds ?? DEFAULT_SCALE_DOWN_DELAY_SECONDS,
    abortScaleDownDelaySeconds: doc.abortScaleDownDelaySeconds ?? DEFAULT_ABORT_SCALE_DOWN_DELAY_SECONDS,
    previewReplicaCount: doc.previewReplicaCount ?? null,
    router: proxy === undefined ? null : { ...proxyRouterSpec(proxy), ...previewOf(proxy, proxyPath, sink) },
  };
}

/** The preview entry points of a blue-green proxy; the listener must not be the main one. */
function previewOf(
  proxy: BlueGreenProxyRouting,
  path: string,
  sink: IssueSink,
): { preview?: ProxyPreviewSpec } {
  const { previewListen, previewHeader } = proxy;
  if (previewListen === undefined && previewHeader === undefined) return {};
  if (sink.malformed(joinPath(path, "previewListen")) || sink.malformed(joinPath(path, "previewHeader")))
    return {};
  if (previewListen !== undefined && sameAddress(previewListen, proxy.listen)) {
    sink.error(joinPath(path, "previewListen"), `is the same address as listen (${proxy.listen})`, {
      expected: "another host:port than listen: the preview needs a listener of its own",
      suggestion: `use another port, e.g. "${hostOf(proxy.listen)}:${otherPort(portOf(proxy.listen))}"`,
    });
  }
  const colon = previewHeader?.indexOf(":") ?? -1;
  const header =
    previewHeader === undefined || colon < 0
      ? null
      : {
          name: previewHeader.slice(0, colon).trim().toLowerCase(),
          value: previewHeader.slice(colon + 1).trim(),
        };
  return { preview: { listen: previewListen ?? null, header } };
}

/** Whether two listen addresses would bind the same socket (port 0 never does: the OS picks). */
function sameAddress(a: string, b: string): boolean {
  if (portOf(a) !== portOf(b) || portOf(a) === 0) return false;
  const wildcard = (h: string) => h === "0.0.0.0" || h === "::";
  const [ha, hb] = [hostOf(a), hostOf(b)];
  return ha === hb || wildcard(ha) || wildcard(hb);
}

function hostOf(listen: string): string {
  const host = listen.slice(0, listen.lastIndexOf(":")).replace(/^\[|\]$/g, "");
  return host === "" || host === "localhost" ? "127.0.0.1" : host;
}

function otherPort(port: number): number {
  return port >= 65535 ? port - 1 : port + 1;
}

function portOf(listen: string): number {
  return Number(listen.slice(listen.lastIndexOf(":") + 1));
}
