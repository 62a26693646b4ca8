/**
 * The Ramp-only parts an imported rollout needs and the input cannot say: where the proxy listens
 * and how a version runs (`--listen`, `--preview-listen`, `--stable-url/--canary-url`, `--command`,
 * `--version`).
 */
import type { DocumentReport } from "./report.js";

export interface ImportOptions {
  /** host:port for trafficRouting.proxy.listen (default 127.0.0.1:8080). */
  readonly listen?: string | undefined;
  /**
   * host:port for a blue-green rollout's trafficRouting.proxy.previewListen: the entry point Argo's
   * previewService becomes (only for rollouts that have one).
   */
  readonly previewListen?: string | undefined;
  /** Static platform: the URL that serves the stable version… */
  readonly stableUrl?: string | undefined;
  /** …and the one that serves the canary. */
  readonly canaryUrl?: string | undefined;
  /** Process platform: the command Ramp runs per replica (with PORT set), by /bin/sh -c. */
  readonly command?: string | undefined;
  /** spec.version, when the input has no pod template to read it from. */
  readonly version?: string | undefined;
}

export const DEFAULT_LISTEN = "127.0.0.1:8080";

export function proxyRouting(options: ImportOptions): { proxy: { listen: string } } {
  return { proxy: { listen: options.listen ?? DEFAULT_LISTEN } };
}

/**
 * The workload block: from the options when given, else the input's own (an already-Ramp Rollout),
 * else the static platform with placeholder URLs named after the services, reported as a note.
 */
export function workloadFor(
  options: ImportOptions,
  existing: unknown,
  placeholders: { stable: string; canary: string },
  report: DocumentReport,
): Record<string, unknown> {
  if (options.command !== undefined) return { platform: "process", command: options.command };
  if (options.stableUrl !== undefined && options.canaryUrl !== undefined)
    return { platform: "static", urls: { stable: options.stableUrl, canary: options.canaryUrl } };
  if (typeof existing === "object" && existing !== null) return existing as Record<string, unknown>;
  report.note(
    "spec.workload",
    `added with placeholder URLs: stable ${placeholders.stable}, canary ${placeholders.canary}`,
    "replace them with the URLs that serve each version, or import again with --stable-url URL --canary-url URL (static) or --command CMD (Ramp runs it per replica with PORT set)",
  );
  return { platform: "static", urls: placeholders };
}
