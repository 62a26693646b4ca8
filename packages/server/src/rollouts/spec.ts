/**
 * The Rollout document as users write it: Argo Rollouts' field names (pkg/apis/rollouts/v1alpha1/
 * types.go) plus Ramp's `spec.workload`. One definition gives the TypeScript types, the JSON Schema
 * and the structural validator; compile.ts adds the checks a schema cannot say.
 */
import { type Static, t, toJsonSchema } from "@ramp/engine";
import { notificationsSchema } from "../plugins/notifiers/config.js";
import { DURATION_HINT, DURATION_PATTERN } from "./duration.js";
import { rolloutSpecAnalysis } from "./flagger-spec.js";

export const API_VERSIONS = ["argoproj.io/v1alpha1", "ramp.dev/v1alpha1"] as const;

/** A Kubernetes object name (RFC 1123 subdomain), as `metadata.name` must be. */
export const OBJECT_NAME = "^[a-z0-9]([-a-z0-9.]{0,251}[a-z0-9])?$";
/** A version label: an image tag's characters (letters, digits, '_', '.', '-') plus '+' and ':' for digests. */
export const VERSION_NAME = "^[A-Za-z0-9][A-Za-z0-9_.+:-]{0,127}$";
const VERSION_HINT = "a version like v2.0.0: letters, digits, '_', '.', '+', ':' or '-', at most 128";

const version = t.string({ pattern: VERSION_NAME, patternHint: VERSION_HINT });
const nonEmpty = t.string({ minLength: 1 });
const labels = t.record(t.string());
const count = (description: string) => t.number({ minimum: 0, description });
const percent = (description: string) => t.number({ minimum: 0, maximum: 100, description });

const intOrPercent = t.union(
  [t.number({ minimum: 0 }), t.string({ pattern: "^\\d+%$", patternHint: 'a percentage like "25%"' })],
  'a number or a percentage like "25%"',
);

/** Argo's StringMatch: exactly one of the three. */
export const stringMatch = t.object(
  { exact: t.string(), prefix: t.string(), regex: t.string({ description: "RE2 syntax." }) },
  [],
  { description: "Exactly one of exact, prefix, regex." },
);

const headerRoutingMatch = t.object({ headerName: nonEmpty, headerValue: stringMatch }, [
  "headerName",
  "headerValue",
]);

const routeMatch = t.object({ method: stringMatch, path: stringMatch, headers: t.record(stringMatch) }, [], {
  description: "Conditions within one match all hold (AND); several matches are alternatives (OR).",
});

export const templateRef = t.object({ templateName: nonEmpty, clusterScope: t.boolean() }, ["templateName"]);

const argument = t.object(
  {
    name: nonEmpty,
    value: t.string(),
    valueFrom: t.object({
      podTemplateHashValue: t.enum(["Stable", "Latest"], {
        description: "Ramp passes the stable or the canary version here (Argo: the ReplicaSet hash).",
      }),
      fieldRef: t.object({ fieldPath: nonEmpty }, ["fieldPath"], {
        description: "metadata.name, metadata.namespace, metadata.labels['k'] or metadata.annotations['k'].",
      }),
    }),
  },
  ["name"],
);

const analysisProps = {
  templates: t.array(templateRef, { minItems: 1 }),
  args: t.array(argument),
  dryRun: t.array(t.object({ metricName: nonEmpty }, ["metricName"])),
  measurementRetention: t.array(
    t.object({ metricName: nonEmpty, limit: count("Measurements kept.") }, ["metricName", "limit"]),
  ),
  analysisRunMetadata: t.object({ labels, annotations: labels }),
};

/** Argo's RolloutAnalysis: the templates an AnalysisRun combines, and its arguments. */
export const rolloutAnalysis = t.object(analysisProps, ["templates"]);

const backgroundAnalysis = t.object(
  { ...analysisProps, startingStep: count("Step index at which the background run starts (default 0).") },
  ["templates"],
  { description: "Runs while the steps execute; a failure aborts the rollout." },
);

const duration = t.union(
  [t.number({ minimum: 0 }), t.string({ pattern: DURATION_PATTERN, patternHint: DURATION_HINT })],
  DURATION_HINT,
);

export const canaryStep = t.object(
  {
    setWeight: percent("Percentage of traffic for the canary."),
    pause: t.object({ duration }, [], { description: "Without a duration the rollout waits for `promote`." }),
    analysis: rolloutAnalysis,
    setCanaryScale: t.object({
      replicas: count("Canary replicas, whatever the traffic weight."),
      weight: percent("Canary replicas as a percentage of spec.replicas."),
      matchTrafficWeight: t.boolean({ description: "Back to replicas that follow setWeight." }),
    }),
    setHeaderRoute: t.object({ name: nonEmpty, match: t.array(headerRoutingMatch) }, ["name"], {
      description: "Requests matching `match` go to the canary; without `match` the route is removed.",
    }),
    setMirrorRoute: t.object(
      {
        name: nonEmpty,
        percentage: percent("Share of the matching requests copied to the canary (default 100)."),
        match: t.array(routeMatch),
      },
      ["name"],
      { description: "Copies matching requests to the canary; without `match` the route is removed." },
    ),
    experiment: t.json({ description: "Argo's experiment step (not supported by Ramp yet)." }),
    plugin: t.json({ description: "Argo's step plugin (not supported by Ramp yet)." }),
  },
  [],
  {
    description: "Exactly one of setWeight, pause, analysis, setCanaryScale, setHeaderRoute, setMirrorRoute.",
  },
);

const listenAddress = (description?: string) =>
  t.string({
    pattern: "^(\\[[0-9A-Fa-f:.]+\\]|[A-Za-z0-9.-]*):\\d{1,5}$",
    patternHint: 'host:port, e.g. "127.0.0.1:8080"',
    ...(description !== undefined && { description }),
  });

const proxyFields = {
  listen: listenAddress(),
  sticky: t.object({ header: nonEmpty, cookie: nonEmpty }, [], {
    description: "Keeps a user on one version by hashing this header, else this cookie.",
  }),
};

/** Ramp's built-in traffic splitter. */
export const proxyRouting = t.object(proxyFields, ["listen"]);

/** The built-in proxy of a blue-green rollout: also entry points to the preview before the switch. */
export const blueGreenProxyRouting = t.object(
  {
    ...proxyFields,
    previewListen: listenAddress(
      "Ramp extension: a second listener that sends every request to the preview (503 while there is none), counted as the canary's traffic.",
    ),
    previewHeader: t.string({
      pattern: "^[!#$%&'*+.^_`|~0-9A-Za-z-]+:\\s*\\S.*$",
      patternHint: 'a header and its value, e.g. "x-ramp-preview: 1"',
      description: "Ramp extension: requests to `listen` carrying this header value go to the preview.",
    }),
  },
  ["listen"],
);

const otherRouter = (name: string) => t.json({ description: `Argo's ${name} router (not in Ramp yet).` });

const routerCommand = (description: string) =>
  t.union([t.string({ minLength: 1 }), t.array(t.string(), { minItems: 1 })], "a string or a list", {
    description,
  });
const onKubernetesOnly = (what: string) =>
  t.json({
    description: `Argo's ${what} (ingress-nginx on Kubernetes): accepted, no effect off Kubernetes.`,
  });

/** nginx off Kubernetes (docs/routers.md): Ramp rewrites one included file and reloads nginx. */
export const nginxRouting = t.object(
  {
    configFile: t.string({
      minLength: 1,
      description: "The file Ramp owns and rewrites (an upstream and a map); your nginx.conf includes it.",
    }),
    upstream: t.string({
      pattern: "^[A-Za-z0-9_][A-Za-z0-9_.-]{0,63}$",
      patternHint: "an nginx upstream name: letters, digits, '_', '.', '-'",
      description: "The upstream's name (default: the rollout's name).",
    }),
    reload: routerCommand("Reloads nginx gracefully (default: nginx -s reload)."),
    test: routerCommand("Checks nginx's configuration (default: nginx -t)."),
    accessLog: t.string({
      minLength: 1,
      description:
        "An access log written with Ramp's log format (log_format ramp_<upstream>): per-version metrics for the builtin provider.",
    }),
    stableIngress: t.string({ description: "Argo's stable Ingress: accepted, no effect off Kubernetes." }),
    annotationPrefix: onKubernetesOnly("annotation prefix"),
    additionalIngressAnnotations: onKubernetesOnly("canary Ingress annotations"),
    additionalStableIngressAnnotations: onKubernetesOnly("stable Ingress annotations"),
    canaryIngress: onKubernetesOnly("canary Ingress settings"),
    stableIngresses: onKubernetesOnly("stable Ingresses"),
  },
  ["configFile"],
);

/** Ramp extension (Argo has no HAProxy router): weights and routes through HAProxy's runtime API. */
export const haproxyRouting = t.object(
  {
    runtimeApi: t.string({
      pattern: "^(unix:/.+|(\\[[0-9A-Fa-f:.]+\\]|[A-Za-z0-9.-]+):\\d{1,5})$",
      patternHint: 'a stats socket: "unix:/run/haproxy/admin.sock" or "127.0.0.1:9999"',
    }),
    backend: nonEmpty,
    stableServer: t.string({ minLength: 1, description: 'The stable server slot (default "stable").' }),
    canaryServer: t.string({ minLength: 1, description: 'The canary server slot (default "canary").' }),
    headerMap: t.string({
      minLength: 1,
      description: "The map file your backend's use-server rule reads; needed for setHeaderRoute.",
    }),
  },
  ["runtimeApi", "backend"],
);

const trafficRouting = t.object({
  proxy: proxyRouting,
  nginx: nginxRouting,
  haproxy: haproxyRouting,
  managedRoutes: t.array(t.object({ name: nonEmpty }, ["name"])),
  maxTrafficWeight: t.number({ minimum: 1 }),
  istio: otherRouter("Istio"),
  smi: otherRouter("SMI"),
  alb: otherRouter("AWS ALB"),
  ambassador: otherRouter("Ambassador"),
  appMesh: otherRouter("App Mesh"),
  traefik: otherRouter("Traefik"),
  apisix: otherRouter("APISIX"),
  plugins: otherRouter("plugin"),
});

const accepted = (what: string) => t.json({ description: `${what} Accepted; no effect in Ramp.` });

export const canaryStrategy = t.object({
  steps: t.array(canaryStep),
  canaryService: t.string(),
  stableService: t.string(),
  trafficRouting,
  analysis: backgroundAnalysis,
  maxSurge: intOrPercent,
  maxUnavailable: intOrPercent,
  scaleDownDelaySeconds: count("Delay before the previous stable is torn down after promotion (default 30)."),
  abortScaleDownDelaySeconds: count("Delay before an aborted canary is torn down (default 30; 0: never)."),
  scaleDownDelayRevisionLimit: count("Accepted; Ramp keeps at most one previous stable."),
  dynamicStableScale: t.boolean(),
  minPodsPerReplicaSet: count("Smallest canary replica count while the canary has any weight."),
  antiAffinity: accepted("Pod anti-affinity."),
  canaryMetadata: accepted("Canary pod labels."),
  stableMetadata: accepted("Stable pod labels."),
  pingPong: accepted("Ping-pong services."),
  replicaProgressThreshold: accepted("Replica progress threshold."),
});

export const blueGreenStrategy = t.object(
  {
    activeService: t.string(),
    previewService: t.string(),
    autoPromotionEnabled: t.boolean({ description: "Default true; false waits for `promote`." }),
    autoPromotionSeconds: count("Wait this long after the preview is ready (and analysed) before switching."),
    prePromotionAnalysis: rolloutAnalysis,
    postPromotionAnalysis: rolloutAnalysis,
    scaleDownDelaySeconds: count("Delay before the previous active is torn down (default 30)."),
    abortScaleDownDelaySeconds: count("Delay before an aborted preview is torn down (default 30; 0: never)."),
    previewReplicaCount: count("Preview replicas before promotion (default spec.replicas)."),
    scaleDownDelayRevisionLimit: count("Accepted; Ramp keeps at most one previous active."),
    maxUnavailable: intOrPercent,
    antiAffinity: accepted("Pod anti-affinity."),
    previewMetadata: accepted("Preview pod labels."),
    activeMetadata: accepted("Active pod labels."),
    trafficRouting: t.object({ proxy: blueGreenProxyRouting }, [], {
      description: "Ramp extension: the proxy that plays the active (and preview) service.",
    }),
  },
  ["activeService"],
);

const urls = t.union(
  [t.string({ minLength: 1 }), t.array(t.string({ minLength: 1 }), { minItems: 1 })],
  "a URL or a list of URLs",
);

/** Ramp's own section: how a version runs off Kubernetes. */
export const workload = t.object(
  {
    platform: t.enum(["process", "static"], {
      description: "process: Ramp runs `command` per replica with PORT set; static: URLs you run yourself.",
    }),
    command: t.union(
      [t.string({ minLength: 1 }), t.array(t.string(), { minItems: 1 })],
      "a string or a list",
      {
        description: "process: an argv list, or a string run by /bin/sh -c.",
      },
    ),
    env: t.record(t.string(), { description: "process: environment for every version." }),
    cwd: t.string({ description: "process: working directory, relative to the rollout file." }),
    readiness: t.object({
      path: t.string({ pattern: "^/", patternHint: "a path starting with /" }),
      intervalMs: t.number({ minimum: 1 }),
      timeoutMs: t.number({ minimum: 1 }),
      successThreshold: t.number({ minimum: 1 }),
    }),
    versions: t.record(t.object({ env: t.record(t.string()), urls }), {
      keyPattern: VERSION_NAME,
      keyHint: "version",
      description: "Per-version settings: extra env (process) or the version's URLs (static).",
    }),
    urls: t.object({ stable: urls, canary: urls }, [], {
      description: "static: the URLs that serve the stable and the canary role.",
    }),
  },
  ["platform"],
);

export const rolloutSpecSchema = t.object(
  {
    replicas: count("Replicas of the stable version (default 1)."),
    selector: t.json({ description: "Kubernetes label selector; accepted, unused off Kubernetes." }),
    template: t.json({
      description: "Kubernetes pod template; the version is the tag of spec.containers[0].image.",
    }),
    version: { ...version, description: "Ramp extension: the version to roll out (default: the image tag)." },
    workload,
    notifications: notificationsSchema,
    strategy: t.object({ canary: canaryStrategy, blueGreen: blueGreenStrategy }),
    minReadySeconds: accepted("Seconds a pod must be ready."),
    revisionHistoryLimit: accepted("Old ReplicaSets kept."),
    progressDeadlineSeconds: accepted("Progress deadline."),
    progressDeadlineAbort: accepted("Abort on progress deadline."),
    paused: accepted("Use `ramp rollouts pause` instead."),
    restartAt: accepted("Restart time."),
    rollbackWindow: accepted("Rollback window."),
    workloadRef: t.json({ description: "Argo's workload reference (not supported by Ramp)." }),
    analysis: rolloutSpecAnalysis,
  },
  ["strategy"],
);

export const rolloutDocument = t.object(
  {
    apiVersion: t.enum(API_VERSIONS),
    kind: t.enum(["Rollout"]),
    metadata: t.object(
      {
        name: t.string({ pattern: OBJECT_NAME, patternHint: "a lower-case name like payment-service" }),
        namespace: t.string(),
        labels,
        annotations: labels,
      },
      ["name"],
    ),
    spec: rolloutSpecSchema,
    status: t.json({ description: "Ignored: Ramp keeps its own status." }),
  },
  ["apiVersion", "kind", "metadata", "spec"],
  { description: "A Ramp or Argo Rollouts Rollout." },
);

export type RolloutDocument = Static<typeof rolloutDocument>;
export type RolloutSpecDocument = Static<typeof rolloutSpecSchema>;
export type CanaryStepDocument = Static<typeof canaryStep>;
export type RolloutAnalysisDocument = Static<typeof rolloutAnalysis>;
export type StringMatch = Static<typeof stringMatch>;
export type TemplateRef = Static<typeof templateRef>;
export type WorkloadDocument = Static<typeof workload>;
export type ProxyRouting = Static<typeof proxyRouting>;
export type BlueGreenProxyRouting = Static<typeof blueGreenProxyRouting>;
export type NginxRouting = Static<typeof nginxRouting>;
export type HaproxyRouting = Static<typeof haproxyRouting>;

/** The JSON Schema (draft 2020-12) of a Rollout document. */
export function rolloutJsonSchema(): Record<string, unknown> {
  return {
    $schema: "https://json-schema.org/draft/2020-12/schema",
    title: "Ramp Rollout",
    ...toJsonSchema(rolloutDocument),
  };
}
