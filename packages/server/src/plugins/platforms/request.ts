/** Checks and defaults shared by every platform: pure functions of the request, no I/O. */
import { describeVersion, PlatformError } from "./errors.js";
import type { DeployRequest, ReadinessProbe } from "./platform.js";

export const DEFAULT_READINESS: ReadinessProbe = {
  path: "/healthz",
  intervalMs: 100,
  timeoutMs: 30_000,
  successThreshold: 1,
};

/** setTimeout's limit (about 24.8 days); a longer delay would fire at once. */
export const MAX_DELAY_MS = 2 ** 31 - 1;

const NAME = /^[^\s/\\\p{Cc}]{1,128}$/u;

/** The map key of one deployment. */
export function deploymentKey(service: string, version: string): string {
  return JSON.stringify([service, version]);
}

/** Service and version names: 1–128 characters, no whitespace, slashes or control characters. */
export function checkNames(service: unknown, version: unknown): void {
  for (const [what, value] of [
    ["service", service],
    ["version", version],
  ] as const) {
    if (typeof value !== "string" || !NAME.test(value) || value === "." || value === "..") {
      throw new PlatformError(
        "INVALID_REQUEST",
        `${what} ${JSON.stringify(value)}: a name is 1–128 characters without whitespace, '/', '\\' or control characters`,
      );
    }
  }
}

export function checkReplicas(service: string, version: string, replicas: unknown, max = 1000): number {
  if (typeof replicas !== "number" || !Number.isInteger(replicas) || replicas < 0 || replicas > max) {
    throw new PlatformError(
      "INVALID_REQUEST",
      `${describeVersion(service, version)}: replicas must be an integer from 0 to ${max}, got ${JSON.stringify(replicas)}`,
    );
  }
  return replicas;
}

export function checkDelay(service: string, version: string, delayMs: unknown): number {
  if (delayMs === undefined) return 0;
  if (typeof delayMs !== "number" || !Number.isFinite(delayMs) || delayMs < 0 || delayMs > MAX_DELAY_MS) {
    throw new PlatformError(
      "INVALID_REQUEST",
      `${describeVersion(service, version)}: teardown delayMs must be a number of milliseconds from 0 to ${MAX_DELAY_MS}, got ${JSON.stringify(delayMs)}`,
    );
  }
  return delayMs;
}

/** The probe with defaults filled in; INVALID_REQUEST names the bad field. */
export function resolveReadiness(request: DeployRequest): ReadinessProbe {
  const given = request.readiness ?? {};
  const probe = { ...DEFAULT_READINESS, ...stripUndefined(given) };
  const where = `${describeVersion(request.service, request.version)}: readiness`;
  if (typeof probe.path !== "string" || !probe.path.startsWith("/")) {
    throw new PlatformError(
      "INVALID_REQUEST",
      `${where}.path must start with '/', got ${JSON.stringify(probe.path)}`,
    );
  }
  for (const field of ["intervalMs", "timeoutMs"] as const) {
    const value = probe[field];
    if (typeof value !== "number" || !Number.isFinite(value) || value <= 0 || value > MAX_DELAY_MS) {
      throw new PlatformError(
        "INVALID_REQUEST",
        `${where}.${field} must be a positive number of milliseconds, got ${JSON.stringify(value)}`,
      );
    }
  }
  if (!Number.isInteger(probe.successThreshold) || probe.successThreshold < 1) {
    throw new PlatformError(
      "INVALID_REQUEST",
      `${where}.successThreshold must be an integer ≥ 1, got ${JSON.stringify(probe.successThreshold)}`,
    );
  }
  return probe;
}

/** The checks every platform makes before anything else; returns the resolved probe. */
export function checkDeployRequest(request: DeployRequest): ReadinessProbe {
  if (typeof request !== "object" || request === null) {
    throw new PlatformError("INVALID_REQUEST", "deploy: the request must be an object");
  }
  checkNames(request.service, request.version);
  checkReplicas(request.service, request.version, request.replicas);
  return resolveReadiness(request);
}

function stripUndefined<T extends object>(value: T): Partial<T> {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as Partial<T>;
}
