/** The one way to get a Platform from configuration: unknown types and options fail loudly, by path. */
import { PlatformError } from "./errors.js";
import { NoopPlatform, type NoopPlatformOptions } from "./noop/noop-platform.js";
import type { Platform } from "./platform.js";
import { ProcessPlatform, type ProcessPlatformOptions } from "./process/process-platform.js";
import { StaticPlatform, type StaticPlatformOptions } from "./static/static-platform.js";

export type PlatformConfig =
  | ({ readonly type: "process" } & ProcessPlatformOptions)
  | ({ readonly type: "static" } & StaticPlatformOptions)
  | ({ readonly type: "noop" } & NoopPlatformOptions);

export type PlatformType = PlatformConfig["type"];

type Kind = "string" | "number" | "function" | "object";

/** Every option each type accepts, with its kind: anything else is a mistake to report. */
const OPTIONS: { readonly [T in PlatformType]: Readonly<Record<string, Kind>> } = {
  process: {
    host: "string",
    logsDir: "string",
    replicasDir: "string",
    log: "function",
    logLines: "number",
    terminationGraceMs: "number",
    restartBackoff: "object",
    maxReplicas: "number",
    clock: "function",
  },
  static: { probeTimeoutMs: "number", clock: "function" },
  noop: { ready: "function", clock: "function" },
};

export const PLATFORM_TYPES = Object.keys(OPTIONS) as readonly PlatformType[];

/**
 * @example createPlatform({ type: "process", logsDir: ".ramp/logs" })
 * @param path where the configuration came from, for error messages (e.g. `rollouts.checkout.platform`)
 */
export function createPlatform(config: PlatformConfig, path = "platform"): Platform {
  const type: unknown = (config as { type?: unknown } | null)?.type;
  if (typeof type !== "string" || !isPlatformType(type)) {
    const hint = typeof type === "string" ? nearest(type, PLATFORM_TYPES) : undefined;
    throw new PlatformError(
      "INVALID_CONFIG",
      `${path}.type: unknown platform type ${JSON.stringify(type)}${hint === undefined ? "" : ` (did you mean '${hint}'?)`}; known types: ${PLATFORM_TYPES.join(", ")}`,
    );
  }
  checkOptions(config, OPTIONS[type], path);
  switch (config.type) {
    case "process":
      return new ProcessPlatform(config);
    case "static":
      return new StaticPlatform(config);
    case "noop":
      return new NoopPlatform(config);
  }
}

function isPlatformType(type: string): type is PlatformType {
  return Object.hasOwn(OPTIONS, type);
}

function checkOptions(config: object, known: Readonly<Record<string, Kind>>, path: string): void {
  for (const [key, value] of Object.entries(config)) {
    if (key === "type" || value === undefined) continue;
    const kind = known[key];
    if (kind === undefined) {
      const hint = nearest(key, Object.keys(known));
      throw new PlatformError(
        "INVALID_CONFIG",
        `${path}.${key}: unknown option for a '${(config as { type: string }).type}' platform${hint === undefined ? "" : ` (did you mean '${hint}'?)`}; known: ${Object.keys(known).join(", ") || "none"}`,
      );
    }
    const actual = value === null ? "null" : typeof value;
    if (actual !== kind) {
      throw new PlatformError(
        "INVALID_CONFIG",
        `${path}.${key}: expected a ${kind}, got ${JSON.stringify(value)}`,
      );
    }
  }
}

/** The candidate within two edits of `word` (case ignored), if any. */
function nearest(word: string, candidates: readonly string[]): string | undefined {
  let best: string | undefined;
  let bestDistance = 3;
  for (const candidate of candidates) {
    const d = distance(word.toLowerCase(), candidate.toLowerCase());
    if (d < bestDistance) [best, bestDistance] = [candidate, d];
  }
  return best;
}

function distance(a: string, b: string): number {
  let previous = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const current = [i];
    for (let j = 1; j <= b.length; j++) {
      const substitution = (previous[j - 1] ?? 0) + (a[i - 1] === b[j - 1] ? 0 : 1);
      current[j] = Math.min((previous[j] ?? 0) + 1, (current[j - 1] ?? 0) + 1, substitution);
    }
    previous = current;
  }
  return previous[b.length] ?? 0;
}
