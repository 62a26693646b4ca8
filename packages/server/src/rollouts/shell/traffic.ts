/** A rollout's live traffic per version, read from its router's metrics (for people: the watch view, the demo). */
import type { TrafficVersion, VersionWindow } from "../../plugins/metrics/builtin/index.js";
import type { TrafficRouter } from "../../plugins/traffic/router.js";

/** One version's traffic as the rollout's router measures it. */
export interface VersionTraffic {
  /** The role it holds now. */
  readonly role: TrafficVersion;
  readonly version: string;
  readonly window: VersionWindow;
}

/** What the rollout's router measures now, and where clients reach the service through it. */
export interface RolloutTraffic {
  readonly url: string | undefined;
  /** The preview entry point (blue-green through the built-in proxy with `previewListen`). */
  readonly previewUrl?: string | undefined;
  /** The versions the router sends traffic to now: stable, then the canary when there is one. */
  readonly versions: readonly VersionTraffic[];
}

/** Undefined until the router routes, or when it measures nothing. */
export async function readTraffic(
  router: TrafficRouter,
  sinceMs: number,
): Promise<RolloutTraffic | undefined> {
  const state = router.current();
  const metrics = router.metrics;
  if (state === undefined || metrics === undefined) return undefined;
  const versions: VersionTraffic[] = [];
  for (const [role, targets] of [
    ["stable", state.stable],
    ["canary", state.canary],
  ] as const) {
    if (targets === null) continue;
    // Per version, whichever role it held: a version just promoted keeps its canary traffic.
    const roles = await Promise.all(
      (["stable", "canary"] as const).map((r) =>
        metrics.window({ version: r, revision: targets.version, sinceMs }),
      ),
    );
    versions.push({ role, version: targets.version, window: combineWindows(roles) });
  }
  return { url: router.url, previewUrl: router.previewUrl, versions };
}

/** Counts added up; latency (which does not add up) from the window with the most requests. */
export function combineWindows(windows: readonly VersionWindow[]): VersionWindow {
  const requests = windows.reduce((n, w) => n + w.requests, 0);
  const errors5xx = windows.reduce((n, w) => n + w.errors5xx, 0);
  const busiest = windows.reduce<VersionWindow | undefined>(
    (a, w) => (a === undefined || w.requests > a.requests ? w : a),
    undefined,
  );
  const starts = windows.flatMap((w) => (w.fromMs === undefined ? [] : [w.fromMs]));
  return {
    requests,
    errors5xx,
    successRate: requests === 0 ? Number.NaN : (requests - errors5xx) / requests,
    latency: busiest?.latency ?? { p50: Number.NaN, p90: Number.NaN, p95: Number.NaN, p99: Number.NaN },
    ...(starts.length > 0 && { fromMs: Math.min(...starts) }),
  };
}
