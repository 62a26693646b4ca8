/**
 * The setting of the proxy-and-process suites: Ramp's server in this process (a fresh one per test),
 * its built-in proxy as the data plane on a free loopback port, and the process platform running
 * examples/demo-service — wrapped (fixtures/counting-demo-service.mjs) so each replica logs the id of
 * every request it receives. What reached a version is read from that log, the demo service's own
 * count, not from the proxy the rollout steers.
 */
import { mkdirSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterEach, beforeEach } from "vitest";
import { canaryRollout, proxyAt, successRate } from "./rollout-docs.js";
import { type RampServer, startRampServer } from "./rollout-server.js";
import { isHealthyAt, type RolloutsApi, waitUntil } from "./rollouts-api.js";
import { type SentRequest, TrafficGenerator } from "./traffic.js";

const DEMO_SERVICE = fileURLToPath(new URL("./fixtures/counting-demo-service.mjs", import.meta.url));

export interface RolloutServer {
  readonly api: RolloutsApi;
  /** Where the demo service's replicas log what they receive (requestsReceived reads it). */
  readonly logDir: string;
  /** Steady traffic to the proxy at `url` (about 50 requests a second, at most 2500), stopped after the test. */
  traffic(url: string, prefix: string): TrafficGenerator;
  /** Applies the templates and the rollout at v1, and waits for v1 to be Healthy behind the proxy. */
  deployFirst(rollout: { metadata: { name: string } }): Promise<void>;
  /** Waits until the proxy routes to `versions` only (the traffic view lists what it routes to now); returns when. */
  routesOnly(name: string, versions: readonly string[]): Promise<number>;
}

/** Registers the hooks that give each test of the file a fresh server; read the fields inside tests. */
export function useRolloutServer(): RolloutServer {
  let current: { ramp: RampServer; logDir: string; api: RolloutsApi } | undefined;
  const generators: TrafficGenerator[] = [];
  const live = () => {
    if (current === undefined) throw new Error("no server: use it inside a test");
    return current;
  };

  beforeEach(async () => {
    const ramp = await startRampServer("ramp-rollouts-e2e-");
    const logDir = join(ramp.dir, "requests");
    mkdirSync(logDir);
    current = { ramp, logDir, api: ramp.api };
  });

  afterEach(async () => {
    await Promise.all(generators.splice(0).map((g) => g.stop()));
    const c = current;
    current = undefined;
    await c?.ramp.close();
  });

  return {
    get api() {
      return live().api;
    },
    get logDir() {
      return live().logDir;
    },
    traffic(url, prefix) {
      const g = new TrafficGenerator({ url, prefix, intervalMs: 20, maxRequests: 2500 });
      generators.push(g);
      return g;
    },
    async deployFirst(rollout) {
      const { api } = live();
      await api.apply([...TEMPLATES, rollout]);
      await api.waitFor(rollout.metadata.name, "v1 Healthy", isHealthyAt("v1"));
    },
    async routesOnly(name, versions) {
      const { api } = live();
      await waitUntil(
        async () => {
          const t = await api.traffic(name);
          return t.measured && JSON.stringify(t.versions.map((v) => v.version)) === JSON.stringify(versions)
            ? t
            : undefined;
        },
        `${name}: the proxy to route to ${versions.join(", ")} only`,
      );
      return Date.now();
    },
  };
}

const TEMPLATES = [
  successRate("canary-success-rate", "canary"),
  successRate("active-success-rate", "stable"),
  // No traffic, no data: it waits 2 s for 5 requests, then the measurement is Inconclusive.
  successRate("canary-success-rate-2s", "canary", { maxWait: "2s" }),
];

/** The demo service per version, logging into `logDir`: v3-bad answers 90% of requests with a 500. */
function workload(logDir: string) {
  return {
    platform: "process",
    command: [process.execPath, DEMO_SERVICE],
    env: { REQUEST_LOG_DIR: logDir, LATENCY_MS: "2" },
    readiness: { path: "/healthz", intervalMs: 50 },
    versions: {
      v1: { env: { ERROR_RATE: "0" } },
      v2: { env: { ERROR_RATE: "0" } },
      "v3-bad": { env: { ERROR_RATE: "0.9", SEED: "rollouts-e2e" } },
    },
  };
}

export function canary(
  logDir: string,
  name: string,
  port: number,
  version: string,
  steps: readonly object[],
  routes: string[] = [],
) {
  return canaryRollout(
    name,
    version,
    {
      steps,
      scaleDownDelaySeconds: 1,
      // The aborted canary keeps running, so "it gets no request" is about routing, not about it being gone.
      abortScaleDownDelaySeconds: 0,
      trafficRouting: {
        ...proxyAt(port),
        ...(routes.length > 0 && { managedRoutes: routes.map((r) => ({ name: r })) }),
      },
    },
    workload(logDir),
  );
}

export function blueGreen(logDir: string, name: string, port: number, version: string) {
  return {
    apiVersion: "argoproj.io/v1alpha1",
    kind: "Rollout",
    metadata: { name },
    spec: {
      replicas: 1,
      version,
      strategy: {
        blueGreen: {
          activeService: `${name}-active`,
          previewService: `${name}-preview`,
          autoPromotionEnabled: true,
          // The proxy sends the preview nothing before the switch, so this checks the active version.
          prePromotionAnalysis: { templates: [{ templateName: "active-success-rate" }] },
          postPromotionAnalysis: { templates: [{ templateName: "canary-success-rate" }] },
          scaleDownDelaySeconds: 1,
          abortScaleDownDelaySeconds: 0,
          trafficRouting: proxyAt(port),
        },
      },
      workload: workload(logDir),
    },
  };
}

export const ids = (requests: readonly SentRequest[]) => requests.map((r) => r.id).sort();
export const answeredBy = (requests: readonly SentRequest[], version: string) =>
  requests.filter((r) => r.version === version);
