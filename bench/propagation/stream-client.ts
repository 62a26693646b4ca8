/**
 * A stand-in for a server SDK: one `/sdk/v1/stream` over node:http, SSE parsed by hand, and every
 * `put` and `patch` applied as the SDK applies it — JSON parsed, merged into its flag file and the
 * file compiled by the engine.
 *
 * Many clients share this process, so applying is deferred: a frame's arrival is stamped when its
 * bytes are read, and compiles run in slices of ~2 ms between which the event loop reads whatever
 * else has arrived. Each client's apply time is measured on its own; "applied" latency = arrival +
 * own apply time, what a client running in its own process would see, not the queue behind 499
 * other clients' compiles.
 */
import { request } from "node:http";
import { compileFlagSet, type FlagEnvironment } from "@ramp/engine";

export interface Applied {
  readonly version: number;
  /** performance.now() when the frame's last bytes were read. */
  readonly receivedAt: number;
  /** How long parsing, merging and compiling took for this client. */
  readonly applyMs: number;
}

interface Frame {
  readonly client: StreamClient;
  readonly event: string;
  readonly data: string;
  readonly receivedAt: number;
}

type Documents = { [key: string]: unknown };

interface PutData {
  readonly environment: string;
  readonly version: number;
  readonly file: { flags?: Documents; segments?: Documents; [k: string]: unknown };
}

interface PatchData {
  readonly version: number;
  readonly flags: Documents;
  readonly segments: Documents;
}

const pending: Frame[] = [];
let scheduled = false;
/** Compile work per turn of the event loop: short, so frames arriving meanwhile are stamped on time. */
const SLICE_MS = 2;

function schedule(frame: Frame): void {
  pending.push(frame);
  if (!scheduled) {
    scheduled = true;
    setImmediate(drain);
  }
}

function drain(): void {
  const until = performance.now() + SLICE_MS;
  let applied = 0;
  for (const f of pending) {
    f.client.apply(f);
    applied++;
    if (performance.now() >= until) break;
  }
  pending.splice(0, applied);
  if (pending.length > 0) setImmediate(drain);
  else scheduled = false;
}

export class StreamClient {
  version = -1;
  evaluator: FlagEnvironment | undefined;
  readonly applied = new Map<number, Applied>();
  errors = 0;
  #environment = "";
  #file: PutData["file"] = {};
  #buffer = "";
  #close: () => void = () => undefined;

  /** Connects and resolves once the first `put` is applied (or rejects on a non-200 answer). */
  connect(url: string, token: string, timeoutMs: number): Promise<void> {
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`no put within ${timeoutMs} ms`)), timeoutMs);
      this.onApplied = () => {
        clearTimeout(timer);
        this.onApplied = () => undefined;
        resolve();
      };
      const req = request(
        url,
        { agent: false, headers: { authorization: `Bearer ${token}`, accept: "text/event-stream" } },
        (res) => {
          if (res.statusCode !== 200) {
            clearTimeout(timer);
            res.resume();
            reject(new Error(`stream answered ${res.statusCode}`));
            return;
          }
          res.setEncoding("utf8");
          res.on("data", (chunk: string) => this.#read(chunk));
        },
      );
      req.on("error", (e) => {
        clearTimeout(timer);
        reject(e);
      });
      req.end();
      this.#close = () => req.destroy();
    });
  }

  onApplied: (a: Applied) => void = () => undefined;

  close(): void {
    this.#close();
  }

  #read(chunk: string): void {
    const receivedAt = performance.now();
    this.#buffer += chunk;
    for (let end = this.#buffer.indexOf("\n\n"); end >= 0; end = this.#buffer.indexOf("\n\n")) {
      const block = this.#buffer.slice(0, end);
      this.#buffer = this.#buffer.slice(end + 2);
      let event = "message";
      let data = "";
      for (const line of block.split("\n")) {
        if (line.startsWith("event: ")) event = line.slice(7);
        else if (line.startsWith("data: ")) data += line.slice(6);
      }
      if (data !== "") schedule({ client: this, event, data, receivedAt });
    }
  }

  /** Parses, merges and compiles one frame; called by the shared scheduler. */
  apply(frame: Frame): void {
    const started = performance.now();
    let version: number;
    if (frame.event === "put") {
      const put = JSON.parse(frame.data) as PutData;
      this.#environment = put.environment;
      this.#file = put.file;
      version = put.version;
    } else if (frame.event === "patch") {
      const patch = JSON.parse(frame.data) as PatchData;
      this.#file = {
        ...this.#file,
        flags: merge(this.#file.flags ?? {}, patch.flags),
        segments: merge(this.#file.segments ?? {}, patch.segments),
      };
      version = patch.version;
    } else return;
    const compiled = compileFlagSet(this.#file, { lenient: true });
    if (compiled.ok) this.evaluator = compiled.flagSet.environment(this.#environment);
    else this.errors++;
    const a: Applied = { version, receivedAt: frame.receivedAt, applyMs: performance.now() - started };
    this.version = version;
    this.applied.set(version, a);
    this.onApplied(a);
  }
}

function merge(base: Documents, changes: Documents): Documents {
  const out = { ...base };
  for (const [key, doc] of Object.entries(changes)) {
    if (doc === null) delete out[key];
    else out[key] = doc;
  }
  return out;
}
