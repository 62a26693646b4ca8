/** A replica's output: complete lines in a bounded in-memory ring, and appended to a file if asked. */
import { createWriteStream, mkdirSync, type WriteStream } from "node:fs";
import { dirname } from "node:path";
import type { Readable } from "node:stream";
import type { LogLine } from "../platform.js";

/** Longer lines are cut into pieces of this many characters, so one line cannot exhaust memory. */
const MAX_LINE = 8192;

/** A line with the platform-wide sequence number that orders lines of several replicas. */
export interface SequencedLine {
  readonly seq: number;
  readonly line: LogLine;
}

export interface ReplicaLogOptions {
  readonly replica: number;
  /** Lines kept in memory. */
  readonly capacity: number;
  /** Append every line here too. */
  readonly file?: string;
  readonly clock: () => Date;
  /** The next sequence number (shared by the platform's replicas). */
  readonly sequence: () => number;
}

export class ReplicaLog {
  readonly #ring: SequencedLine[] = [];
  #start = 0;
  readonly #file: WriteStream | undefined;

  constructor(private readonly options: ReplicaLogOptions) {
    if (options.file !== undefined) {
      mkdirSync(dirname(options.file), { recursive: true });
      this.#file = createWriteStream(options.file, { flags: "a" });
      // A full disk must not take the server down; the ring still has the lines.
      this.#file.on("error", () => {});
    }
  }

  write(stream: LogLine["stream"], text: string): void {
    const line: LogLine = { at: this.options.clock(), replica: this.options.replica, stream, text };
    const entry = { seq: this.options.sequence(), line };
    if (this.#ring.length < this.options.capacity) this.#ring.push(entry);
    else {
      this.#ring[this.#start] = entry;
      this.#start = (this.#start + 1) % this.options.capacity;
    }
    if (this.#file !== undefined && !this.#file.writableEnded) {
      this.#file.write(`${line.at.toISOString()} ${stream} ${text}\n`);
    }
  }

  /** Splits a child's stdout or stderr into lines as they come. */
  follow(source: Readable, stream: "stdout" | "stderr"): void {
    let partial = "";
    source.setEncoding("utf8");
    source.on("data", (chunk: string) => {
      const parts = (partial + chunk).split(/\r?\n/);
      partial = parts.pop() ?? "";
      for (const part of parts) this.#writeLong(stream, part);
      while (partial.length > MAX_LINE) {
        this.write(stream, partial.slice(0, MAX_LINE));
        partial = partial.slice(MAX_LINE);
      }
    });
    source.on("end", () => {
      if (partial !== "") this.#writeLong(stream, partial);
      partial = "";
    });
  }

  /** Oldest first. */
  lines(): SequencedLine[] {
    return [...this.#ring.slice(this.#start), ...this.#ring.slice(0, this.#start)];
  }

  /** Flushes and closes the file. */
  close(): Promise<void> {
    const file = this.#file;
    if (file === undefined || file.closed) return Promise.resolve();
    return new Promise((resolve) => {
      file.once("close", resolve); // also after an error: the stream destroys itself
      file.end();
    });
  }

  #writeLong(stream: "stdout" | "stderr", text: string): void {
    for (let i = 0; i < text.length || i === 0; i += MAX_LINE)
      this.write(stream, text.slice(i, i + MAX_LINE));
  }
}
