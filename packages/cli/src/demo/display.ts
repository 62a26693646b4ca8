/**
 * How the demo shows its story: live on a terminal (the watch view under the story so far, redrawn
 * in place), or as plain timestamped lines anywhere else (`--once`, pipes, CI logs).
 */
import { formatRolloutState } from "../rollouts/format.js";
import { narrate } from "../rollouts/narrate.js";
import { localTime, type RolloutSnapshot, renderRollout, trafficLine } from "../rollouts/view.js";
import { FrameWriter, type Screen } from "../rollouts/watch.js";
import type { TrafficCounts } from "./traffic.js";

export interface StoryDisplay {
  /** What the story does now, in words. */
  note(text: string): void;
  /** The rollout as just read, with the traffic generator's own counts once it runs. */
  snapshot(s: RolloutSnapshot, generator: TrafficCounts | undefined): void;
  /** Done drawing: what is written next goes below. */
  close(): void;
}

const NOTES_SHOWN = 6;

export class LiveDisplay implements StoryDisplay {
  readonly #frames: FrameWriter;
  readonly #notes: string[] = [];
  #last: RolloutSnapshot | undefined;
  #generator: TrafficCounts | undefined;

  /** `header`: lines kept above the story (npm start's flag evaluations). */
  constructor(
    private readonly screen: Screen,
    private readonly header: readonly string[] = [],
  ) {
    this.#frames = new FrameWriter(screen);
  }

  note(text: string): void {
    this.#notes.push(`${localTime(new Date().toISOString())}  ${text}`);
    this.#draw();
  }

  snapshot(s: RolloutSnapshot, generator: TrafficCounts | undefined): void {
    this.#last = s;
    this.#generator = generator;
    this.#draw();
  }

  close(): void {
    this.#frames.close();
  }

  #draw(): void {
    const full = this.#frame(false);
    const rows = this.screen.rows ?? 0;
    // Too tall for the terminal: the same frame, steps on a line or two and fewer events.
    this.#frames.frame(rows > 0 && full.split("\n").length >= rows ? this.#frame(true) : full, "");
  }

  #frame(compact: boolean): string {
    const lines = [...this.header];
    if (lines.length > 0) lines.push("");
    lines.push("The story", ...this.#notes.slice(compact ? -3 : -NOTES_SHOWN).map((n) => `  ${n}`));
    if (this.#last !== undefined)
      lines.push("", renderRollout(this.#last, compact ? { compact, events: 2, runs: 2 } : { events: 4 }));
    if (this.#generator !== undefined) lines.push("", `  demo users: ${generatorLine(this.#generator)}`);
    return lines.join("\n");
  }
}

/** `1234 sent · 1220 ok · 12 5xx · 2 no answer` (skipped ones only when there are any). */
export function generatorLine(c: TrafficCounts): string {
  const parts = [`${c.sent} sent`, `${c.ok} ok`, `${c.errors5xx} 5xx`, `${c.failed} no answer`];
  if (c.skipped > 0) parts.push(`${c.skipped} skipped (too many in flight)`);
  return parts.join(" · ");
}

export class LogDisplay implements StoryDisplay {
  #last: RolloutSnapshot | undefined;
  #trafficAt: number | undefined;
  readonly #start: number;

  constructor(
    private readonly write: (line: string) => void,
    private readonly now: () => number = Date.now,
    /** How often a line of live traffic per version is printed (default 10 s). */
    private readonly trafficEveryMs = 10_000,
  ) {
    this.#start = now();
  }

  note(text: string): void {
    this.write(`${this.#stamp()} ${text}`);
  }

  snapshot(s: RolloutSnapshot, _generator: TrafficCounts | undefined): void {
    if (this.#last === undefined) this.write(`${this.#stamp()}   now: ${formatRolloutState(s.rollout)}`);
    for (const line of narrate(this.#last, s)) this.write(`${this.#stamp()}   ${line}`);
    this.#last = s;
    const t = s.traffic;
    if (t === undefined || !t.measured || !t.versions.some((v) => v.requests > 0)) return;
    // The first line once a whole window has passed: rates over a window still filling read low.
    this.#trafficAt ??= this.now();
    if (this.now() - this.#trafficAt >= this.trafficEveryMs) {
      this.#trafficAt = this.now();
      this.write(`${this.#stamp()}   traffic (last ${t.windowSeconds} s): ${trafficLine(t)}`);
    }
  }

  close(): void {}

  #stamp(): string {
    return `[${((this.now() - this.#start) / 1000).toFixed(1).padStart(5)}s]`;
  }
}
