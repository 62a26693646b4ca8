/**
 * An incremental HTTP/1.1 response parser for upstream connections (RFC 9112): status line, headers,
 * then the body framed by Content-Length, chunked coding or the end of the connection. Bytes in,
 * head and de-framed body chunks out; a malformed response is an error, never a guess.
 */

/** What the client is sent of an upstream response head. */
export interface ResponseHead {
  readonly status: number;
  readonly statusMessage: string;
  /** Raw [name, value, …] headers without hop-by-hop ones; Content-Length kept when it frames the body. */
  readonly headers: string[];
}

export interface ResponseSink {
  /** Takes the head; returns a reason to reject it (e.g. a value Node refuses to send) or undefined. */
  head(head: ResponseHead): string | undefined;
  body(chunk: Buffer): void;
}

/** Longest response head accepted (status line and headers), as Node's default. */
export const MAX_HEAD_BYTES = 16 * 1024;
const MAX_LINE = 4096;

/** Parser states. */
const State = {
  Head: 0,
  Length: 1,
  ChunkSize: 2,
  ChunkData: 3,
  ChunkDataEnd: 4,
  Trailers: 5,
  UntilClose: 6,
  Done: 7,
} as const;
type State = (typeof State)[keyof typeof State];

const CRLFCRLF = Buffer.from("\r\n\r\n");
const TOKEN = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/;
const HEX = /^[0-9a-fA-F]{1,8}$/;
const DIGITS = /^\d{1,15}$/;

export class ResponseParser {
  private state: State = State.Head;
  private pending: Buffer | undefined;
  private remaining = 0;
  private line = "";
  private crlf = 0;
  private headRequest = false;
  /** The connection may carry another request once this response is done. */
  keepAlive = false;

  constructor(private readonly sink: ResponseSink) {}

  /** Prepares for the response to a new request; a HEAD request's response has no body. */
  reset(headRequest: boolean): void {
    this.state = State.Head;
    this.pending = undefined;
    this.remaining = 0;
    this.line = "";
    this.crlf = 0;
    this.headRequest = headRequest;
    this.keepAlive = false;
  }

  /** Whether the whole response (head and body) has been read. */
  get done(): boolean {
    return this.state === State.Done;
  }

  /** Whether the head has been read and passed on. */
  get headDone(): boolean {
    return this.state !== State.Head;
  }

  /** Parses `chunk`; returns an error message on a protocol error. */
  execute(chunk: Buffer): string | undefined {
    let i = 0;
    const length = chunk.length;
    while (i < length) {
      switch (this.state) {
        case State.Head: {
          const r = this.readHead(chunk, i);
          if (typeof r === "string") return r;
          i = r;
          break;
        }
        case State.Length: {
          const n = Math.min(this.remaining, length - i);
          this.sink.body(i === 0 && n === length ? chunk : chunk.subarray(i, i + n));
          this.remaining -= n;
          i += n;
          if (this.remaining === 0) this.state = State.Done;
          break;
        }
        case State.ChunkSize:
        case State.Trailers: {
          const nl = chunk.indexOf(10, i);
          const end = nl < 0 ? length : nl;
          this.line += chunk.toString("latin1", i, end);
          if (this.line.length > MAX_LINE) return "a chunk-size or trailer line is too long";
          i = end;
          if (nl < 0) break;
          i++;
          const err = this.state === State.ChunkSize ? this.chunkSizeLine() : this.trailerLine();
          if (err !== undefined) return err;
          break;
        }
        case State.ChunkData: {
          const n = Math.min(this.remaining, length - i);
          this.sink.body(chunk.subarray(i, i + n));
          this.remaining -= n;
          i += n;
          if (this.remaining === 0) {
            this.state = State.ChunkDataEnd;
            this.crlf = 0;
          }
          break;
        }
        case State.ChunkDataEnd: {
          const expected = this.crlf === 0 ? 13 : 10;
          if (chunk[i] !== expected) return "a chunk is not followed by CRLF";
          i++;
          if (++this.crlf === 2) this.state = State.ChunkSize;
          break;
        }
        case State.UntilClose:
          this.sink.body(i === 0 ? chunk : chunk.subarray(i));
          i = length;
          break;
        case State.Done:
          this.keepAlive = false;
          return "the upstream sent data after the end of the response";
      }
    }
    return undefined;
  }

  /** The upstream closed the connection: ends a body read until close; otherwise the response is cut off. */
  finish(): string | undefined {
    if (this.state === State.UntilClose) {
      this.state = State.Done;
      return undefined;
    }
    if (this.state === State.Done) return undefined;
    return this.state === State.Head
      ? "the upstream closed the connection before answering"
      : "the upstream closed the connection mid-body";
  }

  private readHead(chunk: Buffer, from: number): number | string {
    let buf = from === 0 ? chunk : chunk.subarray(from);
    let searchFrom = 0;
    if (this.pending !== undefined) {
      searchFrom = Math.max(0, this.pending.length - 3);
      buf = Buffer.concat([this.pending, buf]);
      this.pending = undefined;
    }
    const end = buf.indexOf(CRLFCRLF, searchFrom);
    if (end < 0) {
      if (buf.length > MAX_HEAD_BYTES) return "the response head is too large";
      this.pending = Buffer.from(buf);
      return chunk.length;
    }
    if (end > MAX_HEAD_BYTES) return "the response head is too large";
    const err = this.parseHead(buf.toString("latin1", 0, end));
    if (err !== undefined) return err;
    // Index in `chunk` just after the head (the pending part was from earlier chunks).
    const consumed = end + 4 - (buf.length - (chunk.length - from));
    return from + consumed;
  }

  private parseHead(text: string): string | undefined {
    const lines = text.split("\r\n");
    const statusLine = lines[0] ?? "";
    if (!statusLine.startsWith("HTTP/1.") || statusLine.charCodeAt(8) !== 32) {
      return `malformed status line '${statusLine.slice(0, 40)}'`;
    }
    const minor = statusLine.charCodeAt(7) - 48;
    const code = statusLine.slice(9, 12);
    if (!/^[1-9]\d\d$/.test(code) || (statusLine.length > 12 && statusLine.charCodeAt(12) !== 32)) {
      return `malformed status line '${statusLine.slice(0, 40)}'`;
    }
    const status = Number(code);
    const headers: string[] = [];
    let contentLength: string | undefined;
    let transferEncoding: string | undefined;
    let connection: string | undefined;
    for (let k = 1; k < lines.length; k++) {
      const line = lines[k] ?? "";
      const colon = line.indexOf(":");
      if (colon <= 0) return `malformed header line '${line.slice(0, 40)}'`;
      const name = line.slice(0, colon);
      if (!TOKEN.test(name)) return `malformed header name '${name.slice(0, 40)}'`;
      const value = line.slice(colon + 1).trim();
      if (value.includes("\r") || value.includes("\n")) return `malformed value of header '${name}'`;
      switch (hopByHop(name)) {
        case Hop.ContentLength:
          if (contentLength !== undefined && contentLength !== value)
            return "conflicting Content-Length headers";
          if (contentLength === undefined) headers.push(name, value);
          contentLength = value;
          continue;
        case Hop.TransferEncoding:
          transferEncoding = transferEncoding === undefined ? value : `${transferEncoding}, ${value}`;
          continue;
        case Hop.Connection:
          connection = connection === undefined ? value : `${connection}, ${value}`;
          continue;
        case Hop.Other:
          continue;
        case Hop.None:
          headers.push(name, value);
      }
    }
    if (status >= 100 && status < 200) {
      // Interim responses (103 Early Hints …) are not passed on; the final response follows.
      if (status === 101) return "the upstream switched protocols, which the proxy does not support";
      return undefined;
    }
    const tokens = connection?.toLowerCase();
    this.keepAlive = minor >= 1 ? !hasToken(tokens, "close") : hasToken(tokens, "keep-alive");
    if (connection !== undefined) removeListed(headers, connection);
    const rejected = this.sink.head({ status, statusMessage: statusLine.slice(13), headers });
    if (rejected !== undefined) return rejected;

    if (this.headRequest || status === 204 || status === 304) {
      this.state = State.Done;
    } else if (transferEncoding !== undefined) {
      // Content-Length is ignored next to Transfer-Encoding (and must not reach the client).
      if (contentLength !== undefined) removeHeader(headers, "content-length");
      this.keepAlive &&= contentLength === undefined;
      if (/(?:^|,)\s*chunked\s*$/i.test(transferEncoding)) {
        this.state = State.ChunkSize;
        this.line = "";
      } else {
        this.state = State.UntilClose;
        this.keepAlive = false;
      }
    } else if (contentLength !== undefined) {
      if (!DIGITS.test(contentLength)) return `invalid Content-Length '${contentLength.slice(0, 20)}'`;
      this.remaining = Number(contentLength);
      this.state = this.remaining === 0 ? State.Done : State.Length;
    } else {
      this.state = State.UntilClose;
      this.keepAlive = false;
    }
    return undefined;
  }

  private chunkSizeLine(): string | undefined {
    const line = this.line;
    this.line = "";
    if (!line.endsWith("\r")) return "a chunk-size line does not end in CRLF";
    const semi = line.indexOf(";");
    const hex = (semi < 0 ? line.slice(0, -1) : line.slice(0, semi)).trim();
    if (!HEX.test(hex)) return `invalid chunk size '${hex.slice(0, 20)}'`;
    this.remaining = Number.parseInt(hex, 16);
    this.state = this.remaining === 0 ? State.Trailers : State.ChunkData;
    return undefined;
  }

  private trailerLine(): string | undefined {
    const line = this.line;
    this.line = "";
    if (!line.endsWith("\r")) return "a trailer line does not end in CRLF";
    // Trailers are read and dropped: the client's response is already framed.
    if (line.length === 1) this.state = State.Done;
    return undefined;
  }
}

/** How a response header is treated: passed on, or one of the framing and hop-by-hop headers. */
const Hop = { None: 0, ContentLength: 1, TransferEncoding: 2, Connection: 3, Other: 4 } as const;
type Hop = (typeof Hop)[keyof typeof Hop];

/** Classifies a header name, lower-casing only names with the length of one of interest. */
function hopByHop(name: string): Hop {
  switch (name.length) {
    case 2:
      return name.toLowerCase() === "te" ? Hop.Other : Hop.None;
    case 7: {
      const n = name.toLowerCase();
      return n === "trailer" || n === "upgrade" ? Hop.Other : Hop.None;
    }
    case 10: {
      const n = name.toLowerCase();
      return n === "connection" ? Hop.Connection : n === "keep-alive" ? Hop.Other : Hop.None;
    }
    case 14:
      return name.toLowerCase() === "content-length" ? Hop.ContentLength : Hop.None;
    case 16:
      return name.toLowerCase() === "proxy-connection" ? Hop.Other : Hop.None;
    case 17:
      return name.toLowerCase() === "transfer-encoding" ? Hop.TransferEncoding : Hop.None;
    default:
      return Hop.None;
  }
}

function hasToken(list: string | undefined, token: string): boolean {
  if (list === undefined) return false;
  return list.split(",").some((t) => t.trim() === token);
}

/** Never removed because a `Connection` header lists them. */
const PROTECTED = new Set(["", "keep-alive", "close", "content-length", "transfer-encoding"]);

/** Removes the headers a Connection header lists (they are hop-by-hop too). */
function removeListed(headers: string[], connection: string): void {
  for (const t of connection.split(",")) {
    const name = t.trim().toLowerCase();
    if (!PROTECTED.has(name)) removeHeader(headers, name);
  }
}

function removeHeader(headers: string[], lowerName: string): void {
  for (let i = headers.length - 2; i >= 0; i -= 2) {
    if ((headers[i] ?? "").toLowerCase() === lowerName) headers.splice(i, 2);
  }
}
