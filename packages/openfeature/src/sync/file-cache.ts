/**
 * The last good snapshot on disk, so a process that starts while the server is down still serves the
 * flags it last saw. Writes are atomic (temporary file, then rename): a crash mid-write leaves the
 * previous file whole, never a torn one.
 */
import { randomBytes } from "node:crypto";
import { mkdir, readFile, rename, rm, writeFile } from "node:fs/promises";
import { dirname } from "node:path";
import { parseSnapshot, type Snapshot } from "./snapshot.js";

/** The file's shape: the snapshot plus where it came from and when it was written. */
interface CacheDocument extends Snapshot {
  readonly format: "ramp-sdk-cache/1";
  readonly savedAt: string;
}

export type CacheRead =
  | { readonly ok: true; readonly snapshot: Snapshot; readonly savedAt: string | undefined }
  | { readonly ok: false; readonly missing: boolean; readonly message: string };

export class FileCache {
  /** The snapshot waiting to be written after the write in progress (only the newest matters). */
  #next: Snapshot | undefined;
  #writing: Promise<void> | undefined;

  constructor(
    readonly path: string,
    private readonly now: () => number = Date.now,
  ) {}

  async read(): Promise<CacheRead> {
    let text: string;
    try {
      text = await readFile(this.path, "utf8");
    } catch (error) {
      const missing = (error as NodeJS.ErrnoException).code === "ENOENT";
      return { ok: false, missing, message: `cannot read ${this.path}: ${String(error)}` };
    }
    let doc: unknown;
    try {
      doc = JSON.parse(text);
    } catch (error) {
      return { ok: false, missing: false, message: `${this.path} is not JSON: ${String(error)}` };
    }
    const parsed = parseSnapshot(doc);
    if (!parsed.ok) return { ok: false, missing: false, message: `${this.path}: ${parsed.message}` };
    const savedAt = (doc as { savedAt?: unknown }).savedAt;
    return { ok: true, snapshot: parsed.value, savedAt: typeof savedAt === "string" ? savedAt : undefined };
  }

  /**
   * Schedules a write of `snapshot`. Writes run one at a time; snapshots arriving meanwhile collapse
   * into the newest. Resolves when it (or a newer one) is on disk; rejects with the write's error.
   */
  write(snapshot: Snapshot): Promise<void> {
    this.#next = snapshot;
    this.#writing ??= this.#drain();
    return this.#writing;
  }

  /** Resolves when no write is in progress (for shutdown). */
  async settled(): Promise<void> {
    await this.#writing?.catch(() => undefined);
  }

  async #drain(): Promise<void> {
    let failure: unknown;
    try {
      for (let snapshot = this.#next; snapshot !== undefined; snapshot = this.#next) {
        this.#next = undefined;
        try {
          await this.#writeAtomically(snapshot);
          failure = undefined;
        } catch (error) {
          failure = error;
        }
      }
    } finally {
      // Cleared in the same turn that found nothing left to write, so no snapshot is stranded.
      this.#writing = undefined;
    }
    if (failure !== undefined) throw failure;
  }

  async #writeAtomically(snapshot: Snapshot): Promise<void> {
    const doc: CacheDocument = {
      format: "ramp-sdk-cache/1",
      savedAt: new Date(this.now()).toISOString(),
      environment: snapshot.environment,
      version: snapshot.version,
      file: snapshot.file,
    };
    const temp = `${this.path}.${process.pid}.${randomBytes(4).toString("hex")}.tmp`;
    await mkdir(dirname(this.path), { recursive: true });
    try {
      await writeFile(temp, JSON.stringify(doc), { encoding: "utf8", mode: 0o600 });
      await rename(temp, this.path);
    } catch (error) {
      await rm(temp, { force: true });
      throw error;
    }
  }
}
