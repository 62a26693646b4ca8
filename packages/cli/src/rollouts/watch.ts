/**
 * Reading a rollout for display, and drawing it again and again: in place on a terminal (cursor
 * home, then clear what is left), elsewhere a new frame only when something changed.
 */
import { setTimeout as sleep } from "node:timers/promises";
import type { RolloutAnalysisRun, RolloutDetail, TrafficReport } from "../remote/api-types.js";
import { type ApiClient, ConnectionError, HttpError } from "../remote/client.js";
import { type RolloutSnapshot, renderRollout, type ViewOptions, watchKey } from "./view.js";

/** The rollout, then its current revision's analysis runs and its live traffic. */
export async function readSnapshot(client: ApiClient, name: string): Promise<RolloutSnapshot> {
  const path = `/api/v1/rollouts/${encodeURIComponent(name)}`;
  const rollout = await client.json<RolloutDetail>("GET", path);
  const [runs, traffic] = await Promise.all([
    client
      .json<{ runs: RolloutAnalysisRun[] }>("GET", `${path}/analysisruns`, {
        query: { revision: rollout.revision },
      })
      .then((r) => r.runs)
      // A server without the listing still tells the runs it wants now.
      .catch(() => rollout.analysisRuns.map((run) => ({ ...run, revision: rollout.revision }))),
    client.json<TrafficReport>("GET", `${path}/traffic`).catch(() => undefined),
  ]);
  return { rollout, runs, traffic, at: Date.now() };
}

/** Where frames go: process.stdout, or a test's recorder. */
export interface Screen {
  readonly isTTY: boolean;
  /** Rows of the terminal, when known: a frame taller than the screen is cut to fit. */
  readonly rows?: number | undefined;
  write(text: string): void;
}

export class FrameWriter {
  #key: string | undefined;
  #drawn = false;

  constructor(private readonly screen: Screen) {}

  /** Draws `text` (a terminal) or prints it when `key` differs from the last frame's (anything else). */
  frame(text: string, key: string): void {
    if (this.screen.isTTY) {
      const rows = this.screen.rows;
      const lines = text.split("\n");
      const shown = rows === undefined || rows <= 0 || lines.length < rows ? lines : lines.slice(0, rows - 1);
      // Home, each line then clear-to-end-of-line, then clear below: no flicker, no leftovers.
      const start = this.#drawn ? "\x1b[H" : "\x1b[?25l\x1b[2J\x1b[H";
      this.screen.write(`${start}${shown.map((l) => `${l}\x1b[K`).join("\n")}\n\x1b[J`);
      this.#drawn = true;
    } else if (key !== this.#key) {
      this.screen.write(`${text}\n\n`);
    }
    this.#key = key;
  }

  /** Gives the cursor back. */
  close(): void {
    if (this.screen.isTTY && this.#drawn) this.screen.write("\x1b[?25h");
  }
}

export interface WatchOptions {
  readonly signal: AbortSignal;
  readonly screen: Screen;
  readonly intervalMs?: number;
  readonly view?: ViewOptions;
}

/**
 * Draws the rollout every `intervalMs` until `signal` aborts. The first read's failure is thrown
 * (no such rollout, no server); later ones are shown on the last frame and retried.
 */
export async function watchRollout(client: ApiClient, name: string, o: WatchOptions): Promise<void> {
  const frames = new FrameWriter(o.screen);
  let last: RolloutSnapshot | undefined;
  try {
    while (!o.signal.aborted) {
      try {
        const s = await untilAborted(readSnapshot(client, name), o.signal);
        if (s === undefined) break;
        last = s;
        frames.frame(renderRollout(s, o.view), watchKey(s));
      } catch (e) {
        if (last === undefined || !(e instanceof ConnectionError || e instanceof HttpError)) throw e;
        const text = `${renderRollout({ ...last, at: Date.now() }, o.view)}\n\n(${e.message}; retrying)`;
        frames.frame(text, `${watchKey(last)}${e.message}`);
      }
      await sleep(o.intervalMs ?? 500, undefined, { signal: o.signal }).catch(() => undefined);
    }
  } finally {
    frames.close();
  }
}

/** The promise's value, or undefined as soon as `signal` aborts (the promise is left to settle alone). */
export function untilAborted<T>(p: Promise<T>, signal: AbortSignal): Promise<T | undefined> {
  if (signal.aborted) return Promise.resolve(undefined);
  return new Promise((resolve, reject) => {
    const stop = () => resolve(undefined);
    signal.addEventListener("abort", stop, { once: true });
    p.then(resolve, reject).finally(() => signal.removeEventListener("abort", stop));
  });
}
