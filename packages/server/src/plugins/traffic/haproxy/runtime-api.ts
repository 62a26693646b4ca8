/** A client for HAProxy's runtime API (the stats socket): one connection per command, answer until close. */
import { connect } from "node:net";

const TIMEOUT_MS = 5_000;

export class HaproxyRuntimeApi {
  constructor(
    /** "unix:/run/haproxy/admin.sock" or "127.0.0.1:9999". */
    readonly address: string,
  ) {}

  /**
   * Sends one command and returns HAProxy's answer. `payload` lines follow a `<<` (HAProxy keeps
   * them byte for byte, where command arguments lose their backslashes).
   */
  command(command: string, payload?: readonly string[]): Promise<string> {
    if (/[\n;]/.test(command)) throw new Error(`HAProxy command must be one line without ';': ${command}`);
    const text =
      payload === undefined ? `${command}\n` : `${command} <<\n${payload.map((l) => `${l}\n`).join("")}\n`;
    return new Promise((resolve, reject) => {
      const socket = this.address.startsWith("unix:")
        ? connect({ path: this.address.slice("unix:".length) })
        : connect(hostPort(this.address));
      let answer = "";
      socket.setEncoding("utf8");
      socket.setTimeout(TIMEOUT_MS, () =>
        socket.destroy(new Error(`HAProxy runtime API ${this.address}: no answer to '${command}'`)),
      );
      // Without "prompt" HAProxy answers one command and closes the connection.
      socket.on("connect", () => socket.write(text));
      socket.on("data", (chunk: string) => {
        answer += chunk;
      });
      socket.on("error", (e) =>
        reject(new Error(`HAProxy runtime API ${this.address}: ${e.message}`, { cause: e })),
      );
      socket.on("close", (hadError) => {
        if (!hadError) resolve(answer);
      });
    });
  }

  /** Like command(), but an answer that is not empty and not in `ok` is an error. */
  async change(command: string, ok: RegExp = /^$/, payload?: readonly string[]): Promise<string> {
    const answer = (await this.command(command, payload)).trim();
    if (answer !== "" && !ok.test(answer))
      throw new Error(`HAProxy refused '${command}': ${answer.split("\n").join(" | ")}`);
    return answer;
  }
}

function hostPort(address: string): { host: string; port: number } {
  const m = /^\[?([^\]]*)\]?:(\d+)$/.exec(address);
  if (m === null)
    throw new Error(`HAProxy runtime API address '${address}': expected unix:/path or host:port`);
  return { host: m[1] ?? "127.0.0.1", port: Number(m[2]) };
}
