/**
 * The router part of a canary's `trafficRouting`: exactly one of proxy, nginx and haproxy, with its
 * defaults filled in, and the steps a router cannot carry out refused at load time (with the step's path).
 */
import { type IssueSink, joinPath, listWords } from "./issues.js";
import type { HaproxyRouterSpec, NginxRouterSpec, ProxyRouterSpec, RouterSpec } from "./rollout.js";
import type { CanaryStepDocument, HaproxyRouting, NginxRouting, ProxyRouting } from "./spec.js";

export const ROUTER_KINDS = ["proxy", "nginx", "haproxy"] as const;
export type RouterKind = (typeof ROUTER_KINDS)[number];

export interface RoutingDocument {
  readonly proxy?: ProxyRouting | undefined;
  readonly nginx?: NginxRouting | undefined;
  readonly haproxy?: HaproxyRouting | undefined;
}

export const DEFAULT_NGINX_RELOAD: readonly string[] = ["nginx", "-s", "reload"];
export const DEFAULT_NGINX_TEST: readonly string[] = ["nginx", "-t"];

/** An nginx `$http_<name>` variable exists for header names made of these characters. */
const NGINX_HEADER = /^[A-Za-z0-9-]+$/;

/**
 * The router `routing` names; undefined when it names none of Ramp's (the caller reports that) or
 * when it is invalid (reported into `sink`).
 */
export function compileRouter(
  routing: RoutingDocument,
  path: string,
  sink: IssueSink,
  steps: readonly CanaryStepDocument[],
  stepsPath: string,
): RouterSpec | undefined {
  const present = ROUTER_KINDS.filter((k) => routing[k] !== undefined);
  if (present.length > 1) {
    sink.error(path, `sets ${listWords(present)}: exactly one router carries a rollout's traffic`, {
      suggestion: `keep one of ${listWords(present)}`,
    });
    return undefined;
  }
  const kind = present[0];
  if (kind === undefined || sink.malformed(joinPath(path, kind))) return undefined;
  if (routing.proxy !== undefined) return proxyRouterSpec(routing.proxy);
  const before = sink.hasErrors;
  let router: RouterSpec | undefined;
  if (routing.nginx !== undefined) router = nginxRouterSpec(routing.nginx, joinPath(path, "nginx"), sink);
  else if (routing.haproxy !== undefined)
    router = haproxyRouterSpec(routing.haproxy, joinPath(path, "haproxy"), sink);
  if (router !== undefined) checkSteps(router, steps, stepsPath, sink);
  return sink.hasErrors && !before ? undefined : router;
}

export function proxyRouterSpec(proxy: ProxyRouting): ProxyRouterSpec {
  return { kind: "proxy", listen: proxy.listen, sticky: proxy.sticky ?? null };
}

function nginxRouterSpec(doc: NginxRouting, path: string, sink: IssueSink): NginxRouterSpec {
  for (const key of [
    "annotationPrefix",
    "additionalIngressAnnotations",
    "additionalStableIngressAnnotations",
    "canaryIngress",
    "stableIngresses",
  ] as const) {
    if (doc[key] !== undefined)
      sink.warn(joinPath(path, key), "has no effect off Kubernetes: Ramp routes through configFile");
  }
  return {
    kind: "nginx",
    configFile: doc.configFile,
    upstream: doc.upstream ?? null,
    reload: doc.reload ?? DEFAULT_NGINX_RELOAD,
    test: doc.test ?? DEFAULT_NGINX_TEST,
    accessLog: doc.accessLog ?? null,
  };
}

function haproxyRouterSpec(doc: HaproxyRouting, path: string, sink: IssueSink): HaproxyRouterSpec {
  const stableServer = doc.stableServer ?? "stable";
  const canaryServer = doc.canaryServer ?? "canary";
  if (stableServer === canaryServer) {
    sink.error(joinPath(path, "canaryServer"), `is the stable server too ('${stableServer}')`, {
      expected: "two different server slots of the backend",
    });
  }
  return {
    kind: "haproxy",
    runtimeApi: doc.runtimeApi,
    backend: doc.backend,
    stableServer,
    canaryServer,
    headerMap: doc.headerMap ?? null,
  };
}

/** Refuses, with the step's path, what the router cannot do, rather than failing mid-rollout. */
function checkSteps(
  router: NginxRouterSpec | HaproxyRouterSpec | ProxyRouterSpec,
  steps: readonly CanaryStepDocument[],
  stepsPath: string,
  sink: IssueSink,
): void {
  steps.forEach((step, i) => {
    const stepPath = joinPath(stepsPath, i);
    if (step.setMirrorRoute !== undefined && router.kind !== "proxy") {
      sink.error(
        joinPath(stepPath, "setMirrorRoute"),
        `the ${router.kind} router cannot mirror traffic: ${
          router.kind === "nginx"
            ? "nginx mirrors from inside a location block, which is your configuration, not Ramp's"
            : "HAProxy has no request mirroring without an external agent"
        }`,
        { suggestion: "route with trafficRouting.proxy to mirror, or remove the step" },
      );
    }
    const header = step.setHeaderRoute;
    if (header === undefined || (header.match ?? []).length === 0) return;
    if (router.kind === "haproxy" && router.headerMap === null) {
      sink.error(joinPath(stepPath, "setHeaderRoute"), "needs trafficRouting.haproxy.headerMap", {
        suggestion: "set headerMap to the map file your backend's use-server rule reads (docs/routers.md)",
      });
    }
    if (router.kind === "nginx") {
      (header.match ?? []).forEach((m, j) => {
        if (NGINX_HEADER.test(m.headerName)) return;
        sink.error(
          joinPath(joinPath(joinPath(joinPath(stepPath, "setHeaderRoute"), "match"), j), "headerName"),
          `'${m.headerName}' cannot be read by nginx`,
          { expected: "letters, digits and '-' (nginx reads it as $http_<name>)" },
        );
      });
    }
  });
}
