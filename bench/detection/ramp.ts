/**
 * Ramp under test: its server (with the rollout controller) in a child process on a fresh SQLite file,
 * and the few calls the benchmark makes to it: apply documents, read a rollout and its analysis runs,
 * read the notifications the server wrote to `events.jsonl` with their times.
 */
import { randomBytes } from "node:crypto";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { type ServerProcess, spawnServer } from "../lib/child-process.js";
import { repoFile } from "../lib/repo-file.js";

const START_TIMEOUT_MS = 20_000;
const CALL_TIMEOUT_MS = 10_000;
const SERVER_SCRIPT = "bench/dist/detection/server.js";

/** A notification of the rollout controller, stamped by the server when it was made. */
export interface RolloutEvent {
  readonly at: number;
  readonly rollout: string;
  readonly event: string;
  readonly message: string;
}

/** A completed (or waiting) measurement of an analysis run. */
export interface MeasurementView {
  readonly metric: string;
  readonly phase: string;
  readonly value: string | undefined;
  readonly message: string | undefined;
  /** Epoch ms; undefined while the measurement waits for data. */
  readonly finishedAt: number | undefined;
}

export interface AnalysisRunView {
  readonly name: string;
  readonly phase: string;
  /** Epoch ms. */
  readonly startedAt: number | undefined;
  readonly measurements: readonly MeasurementView[];
}

/** The part of `GET /api/v1/rollouts/:name` the benchmark reads. */
export interface RolloutView {
  readonly phase: string;
  readonly revision: number;
  readonly stepIndex: number | null;
  readonly canaryWeight: number;
  readonly stableVersion: string | null;
  readonly aborted: boolean;
  readonly message: string;
}

export interface Ramp {
  readonly url: string;
  readonly process: ServerProcess;
  apply(documents: readonly unknown[]): Promise<void>;
  rollout(name: string): Promise<RolloutView>;
  analysisRuns(name: string, revision: number): Promise<AnalysisRunView[]>;
  events(): RolloutEvent[];
  /** Stops the server (which stops the demo services) and deletes its directory. */
  stop(): Promise<void>;
}

export async function startRamp(): Promise<Ramp> {
  const data = mkdtempSync(join(tmpdir(), "ramp-detection-"));
  const adminToken = `ramp_admin_${randomBytes(24).toString("hex")}`;
  const child = spawnServer("Ramp server", process.execPath, [compiled(SERVER_SCRIPT)], {
    env: { ...process.env, RAMP_BENCH_DATA: data, RAMP_BENCH_ADMIN_TOKEN: adminToken },
  });
  const stop = async (): Promise<void> => {
    await child.stop();
    rmSync(data, { recursive: true, force: true });
  };
  let url: string;
  try {
    url = await child.waitForLine((line) => {
      const parsed: unknown = line.startsWith("{") ? JSON.parse(line) : undefined;
      const value = field(parsed, "url");
      return typeof value === "string" ? value : undefined;
    }, START_TIMEOUT_MS);
  } catch (error) {
    await stop();
    throw error;
  }
  const call = async (method: "GET" | "POST", path: string, body?: unknown): Promise<unknown> => {
    const response = await fetch(`${url}${path}`, {
      method,
      headers: {
        authorization: `Bearer ${adminToken}`,
        ...(body !== undefined && { "content-type": "application/json" }),
      },
      ...(body !== undefined && { body: JSON.stringify(body) }),
      signal: AbortSignal.timeout(CALL_TIMEOUT_MS),
    });
    const text = await response.text();
    if (!response.ok) throw new Error(`${method} ${path}: ${response.status} ${text.slice(0, 500)}`);
    return JSON.parse(text);
  };
  return {
    url,
    process: child,
    async apply(documents) {
      await call("POST", "/api/v1/rollouts", documents);
    },
    async rollout(name) {
      return rolloutView(await call("GET", `/api/v1/rollouts/${name}`));
    },
    async analysisRuns(name, revision) {
      const body = await call("GET", `/api/v1/rollouts/${name}/analysisruns?revision=${revision}`);
      const runs = field(body, "runs");
      return Array.isArray(runs) ? runs.map(analysisRunView) : [];
    },
    events() {
      let text: string;
      try {
        text = readFileSync(join(data, "events.jsonl"), "utf8");
      } catch {
        return [];
      }
      return text
        .split("\n")
        .filter((line) => line !== "")
        .map((line) => JSON.parse(line) as RolloutEvent);
    },
    stop,
  };
}

function rolloutView(body: unknown): RolloutView {
  const stepIndex = field(body, "stepIndex");
  const stableVersion = field(body, "stableVersion");
  return {
    phase: String(field(body, "phase")),
    revision: Number(field(body, "revision")),
    stepIndex: typeof stepIndex === "number" ? stepIndex : null,
    canaryWeight: Number(field(body, "canaryWeight")),
    stableVersion: typeof stableVersion === "string" ? stableVersion : null,
    aborted: field(body, "aborted") === true,
    message: String(field(body, "message") ?? ""),
  };
}

function analysisRunView(run: unknown): AnalysisRunView {
  const status = field(run, "status");
  const results = field(status, "metricResults");
  const measurements: MeasurementView[] = [];
  for (const result of Array.isArray(results) ? results : []) {
    const list = field(result, "measurements");
    for (const m of Array.isArray(list) ? list : []) {
      const finishedAt = field(m, "finishedAt");
      measurements.push({
        metric: String(field(result, "name")),
        phase: String(field(m, "phase")),
        value: optionalString(field(m, "value")),
        message: optionalString(field(m, "message")),
        finishedAt: typeof finishedAt === "string" ? Date.parse(finishedAt) : undefined,
      });
    }
  }
  const startedAt = field(status, "startedAt");
  return {
    name: String(field(run, "name")),
    phase: String(field(status, "phase")),
    startedAt: typeof startedAt === "string" ? Date.parse(startedAt) : undefined,
    measurements,
  };
}

function optionalString(value: unknown): string | undefined {
  return typeof value === "string" ? value : undefined;
}

/** A property of a JSON object, or undefined when `value` is not an object. */
function field(value: unknown, name: string): unknown {
  return typeof value === "object" && value !== null && name in value
    ? (value as Record<string, unknown>)[name]
    : undefined;
}

function compiled(relative: string): string {
  try {
    return repoFile(relative);
  } catch {
    throw new Error(`${relative} is missing: build the repository first (npx tsc -b)`);
  }
}
