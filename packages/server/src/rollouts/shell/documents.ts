/** How rollouts, analysis templates and analysis runs are kept in the store (versioned documents). */
import type { AnalysisRun } from "../../analysis/index.js";
import type { Json } from "../../store/store.js";
import type { RolloutCommand } from "../commands.js";
import type { RolloutStatus } from "../status.js";

export const ROLLOUT = "rollout";
export const TEMPLATE = "analysis-template";
export const RUN = "analysis-run";

/** A user command waiting for the active controller, with the answer once it has been decided. */
export interface QueuedCommand {
  readonly id: string;
  readonly command: RolloutCommand;
  readonly at: string;
}

export interface CommandAnswer {
  readonly id: string;
  readonly refused?: { readonly code: string; readonly message: string };
  readonly at: string;
}

/** The body of a rollout document: the spec as applied, its status, and the command queue. */
export interface RolloutBody {
  /** The Rollout document as the user wrote it (YAML parsed), re-validated on every load. */
  readonly spec: Json;
  readonly status: RolloutStatus;
  readonly commands: readonly QueuedCommand[];
  /** Recent answers to commands (the API waits for its command's answer). */
  readonly answers: readonly CommandAnswer[];
}

export function rolloutBody(json: Json): RolloutBody {
  return json as unknown as RolloutBody;
}

export function asJson(v: RolloutBody | AnalysisRun): Json {
  return v as unknown as Json;
}

export function analysisRunOf(json: Json): AnalysisRun {
  return json as unknown as AnalysisRun;
}
