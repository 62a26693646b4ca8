/**
 * The demo's Rollout and AnalysisTemplates: examples/demo/rollout.yaml and analysis.yaml, checked
 * like `ramp rollout apply` checks them, with the proxy's port and (for --fast) shorter steps set here.
 */
import { readFileSync } from "node:fs";
import { createServer } from "node:net";
import { fileURLToPath } from "node:url";
import { LoadError } from "../load.js";
import { isRecord, parseRolloutFile } from "../rollouts/files.js";

/** examples/demo of the repository this CLI was built in (dist/demo/ → the repository root). */
export const DEMO_DIR = fileURLToPath(new URL("../../../../examples/demo/", import.meta.url));
export const DEMO_FILES = ["analysis.yaml", "rollout.yaml"] as const;

export interface DemoDocumentOptions {
  /** Shorter pauses and analyses: the same story in about half the time (CI). */
  readonly fast: boolean;
  /** Where the proxy listens instead of the file's port (0: any free port). */
  readonly proxyPort?: number | undefined;
  readonly dir?: string;
}

/**
 * --fast: pauses at 40% (at least 2 s); analyses of two measurements 2 s apart over 8 s of traffic,
 * each of at least 40 requests (at 10% of 100 req/s, a few seconds' worth).
 */
const FAST = {
  pauseFactor: 0.4,
  minPauseSeconds: 2,
  interval: "2s",
  count: 2,
  window: "8s",
  minRequests: 40,
};

/** The documents to apply, templates first; a problem in the files is a LoadError at its line. */
export function demoDocuments(o: DemoDocumentOptions): unknown[] {
  const dir = o.dir ?? DEMO_DIR;
  const documents: unknown[] = [];
  for (const name of DEMO_FILES) {
    const file = `${dir}${dir.endsWith("/") ? "" : "/"}${name}`;
    let text: string;
    try {
      text = readFileSync(file, "utf8");
    } catch (e) {
      throw new LoadError(
        file,
        `cannot read the demo's file: ${(e as NodeJS.ErrnoException).code ?? String(e)}`,
      );
    }
    const parsed = parseRolloutFile(text, dir);
    const first = parsed.issues.find((i) => i.severity === "error");
    if (first !== undefined) {
      const message = `${first.path === "" ? "" : `${first.path}: `}${first.message}`;
      throw new LoadError(file, message, first.line, first.column);
    }
    documents.push(...parsed.documents);
  }
  return documents.map((d) => {
    let doc = d;
    if (o.proxyPort !== undefined) doc = withProxyPort(doc, o.proxyPort);
    if (o.fast) doc = faster(doc);
    return doc;
  });
}

/** The name of the (first) Rollout among the documents. */
export function rolloutName(documents: readonly unknown[]): string | undefined {
  for (const d of documents)
    if (isRecord(d) && d.kind === "Rollout" && isRecord(d.metadata) && typeof d.metadata.name === "string")
      return d.metadata.name;
  return undefined;
}

/** Where the Rollout's proxy listens (`host:port`). */
export function proxyListen(documents: readonly unknown[]): string | undefined {
  for (const d of documents) {
    const routing = canaryOf(d)?.trafficRouting;
    const proxy = isRecord(routing) && isRecord(routing.proxy) ? routing.proxy : undefined;
    if (typeof proxy?.listen === "string") return proxy.listen;
  }
  return undefined;
}

/**
 * Why the proxy could not listen where the documents say, or undefined when it can: checked before
 * the server starts, so a busy port is a clear message rather than a story that never begins.
 */
export async function proxyPortProblem(documents: readonly unknown[]): Promise<string | undefined> {
  const listen = proxyListen(documents);
  const m = listen === undefined ? null : /^(.*):(\d+)$/.exec(listen);
  if (m?.[1] === undefined || m[2] === undefined || Number(m[2]) === 0) return undefined;
  const host = m[1] === "" ? "127.0.0.1" : m[1];
  const port = Number(m[2]);
  return new Promise((resolve) => {
    const probe = createServer();
    probe.once("error", (e: NodeJS.ErrnoException) =>
      resolve(
        e.code === "EADDRINUSE"
          ? `the demo's proxy cannot listen on ${host}:${port}: it is in use (stop what listens there, or pick --proxy-port; 0 is any free port)`
          : `the demo's proxy cannot listen on ${host}:${port}: ${e.code ?? e.message}`,
      ),
    );
    probe.listen(port, host, () => probe.close(() => resolve(undefined)));
  });
}

/** The sticky header of the Rollout's proxy, which the traffic must carry. */
export function stickyHeader(documents: readonly unknown[]): string | undefined {
  for (const d of documents) {
    const proxy = canaryOf(d)?.trafficRouting;
    const sticky = isRecord(proxy) && isRecord(proxy.proxy) ? proxy.proxy.sticky : undefined;
    if (isRecord(sticky) && typeof sticky.header === "string") return sticky.header;
  }
  return undefined;
}

function canaryOf(doc: unknown): Record<string, unknown> | undefined {
  if (!isRecord(doc) || doc.kind !== "Rollout" || !isRecord(doc.spec) || !isRecord(doc.spec.strategy))
    return undefined;
  const canary = doc.spec.strategy.canary;
  return isRecord(canary) ? canary : undefined;
}

function withProxyPort(doc: unknown, port: number): unknown {
  const canary = canaryOf(doc);
  if (!isRecord(doc) || !isRecord(doc.spec) || !isRecord(doc.spec.strategy) || canary === undefined)
    return doc;
  const routing = isRecord(canary.trafficRouting) ? canary.trafficRouting : {};
  const proxy = isRecord(routing.proxy) ? routing.proxy : {};
  const trafficRouting = { ...routing, proxy: { ...proxy, listen: `127.0.0.1:${port}` } };
  return {
    ...doc,
    spec: { ...doc.spec, strategy: { ...doc.spec.strategy, canary: { ...canary, trafficRouting } } },
  };
}

function faster(doc: unknown): unknown {
  if (!isRecord(doc) || !isRecord(doc.spec)) return doc;
  const canary = canaryOf(doc);
  if (canary !== undefined && Array.isArray(canary.steps) && isRecord(doc.spec.strategy)) {
    const steps = canary.steps.map((step: unknown) => {
      if (!isRecord(step) || !isRecord(step.pause) || typeof step.pause.duration !== "string") return step;
      const m = /^(\d+)s$/.exec(step.pause.duration);
      if (m?.[1] === undefined) return step;
      const seconds = Math.max(FAST.minPauseSeconds, Math.ceil(Number(m[1]) * FAST.pauseFactor));
      return { ...step, pause: { ...step.pause, duration: `${seconds}s` } };
    });
    return {
      ...doc,
      spec: { ...doc.spec, strategy: { ...doc.spec.strategy, canary: { ...canary, steps } } },
    };
  }
  if (doc.kind === "AnalysisTemplate" && Array.isArray(doc.spec.metrics)) {
    const metrics = doc.spec.metrics.map((metric: unknown) => {
      if (!isRecord(metric) || !isRecord(metric.provider) || !isRecord(metric.provider.builtin))
        return metric;
      const builtin = { ...metric.provider.builtin, window: FAST.window, minRequests: FAST.minRequests };
      return {
        ...metric,
        interval: FAST.interval,
        count: FAST.count,
        provider: { ...metric.provider, builtin },
      };
    });
    return { ...doc, spec: { ...doc.spec, metrics } };
  }
  return doc;
}
