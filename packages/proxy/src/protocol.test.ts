/** End to end: HTTP/1.1 framing and connection handling between client, proxy and upstream. */
import { createHash } from "node:crypto";
import { createServer, type IncomingMessage, request, type ServerResponse } from "node:http";
import type { AddressInfo, Socket } from "node:net";
import { afterEach, describe, expect, it } from "vitest";
import { Client, startRawBackend } from "../test/backends.js";
import { createProxy, type RampProxy } from "./proxy.js";

const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

/** A real Node backend with a custom handler. */
async function backend(
  handler: (req: IncomingMessage, res: ServerResponse) => void,
  keepAliveTimeout = 5000,
): Promise<string> {
  const server = createServer({ keepAliveTimeout }, handler);
  const sockets = new Set<Socket>();
  server.on("connection", (s: Socket) => {
    sockets.add(s);
    s.on("close", () => sockets.delete(s));
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  cleanups.push(
    () =>
      new Promise<void>((resolve) => {
        for (const s of sockets) s.destroy();
        server.close(() => resolve());
      }),
  );
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

async function proxyTo(target: string, timeoutMs = 5000): Promise<{ proxy: RampProxy; url: string }> {
  const proxy = createProxy({
    config: { service: "svc", stable: { version: "v1", targets: [target] }, weight: 0, timeoutMs },
  });
  const { url } = await proxy.listen();
  cleanups.push(() => proxy.close({ graceMs: 500 }));
  return { proxy, url };
}

function client(url: string): Client {
  const c = new Client(url);
  cleanups.push(() => c.close());
  return c;
}

function sha(data: Buffer | string): string {
  return createHash("sha256").update(data).digest("hex");
}

/** Sends a request with a streamed (chunked) body and collects the response as bytes. */
function streamUpload(url: string, pieces: readonly Buffer[]): Promise<{ status: number; body: Buffer }> {
  return new Promise((resolve, reject) => {
    const req = request(new URL("/upload", url), { method: "POST" }, (res) => {
      const chunks: Buffer[] = [];
      res.on("data", (c: Buffer) => chunks.push(c));
      res.on("end", () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks) }));
    });
    req.on("error", reject);
    let i = 0;
    const next = (): void => {
      const piece = pieces[i++];
      if (piece === undefined) {
        req.end();
        return;
      }
      req.write(piece);
      setImmediate(next);
    };
    next();
  });
}

/** An echo backend: answers with the length and SHA-256 of the body it received, and the framing it saw. */
async function echoBackend(): Promise<string> {
  return backend((req, res) => {
    const hash = createHash("sha256");
    let length = 0;
    req.on("data", (c: Buffer) => {
      hash.update(c);
      length += c.length;
    });
    req.on("end", () => {
      res.end(
        JSON.stringify({ length, sha: hash.digest("hex"), te: req.headers["transfer-encoding"] ?? null }),
      );
    });
  });
}

describe("request bodies", () => {
  it("streams a chunked upload upstream, re-chunked", async () => {
    const { url } = await proxyTo(await echoBackend());
    const pieces = Array.from({ length: 50 }, (_, i) => Buffer.alloc(1000 + i * 37, i));
    const reply = await streamUpload(url, pieces);
    const all = Buffer.concat(pieces);
    expect(reply.status).toBe(200);
    expect(JSON.parse(reply.body.toString())).toEqual({ length: all.length, sha: sha(all), te: "chunked" });
  });

  it("streams an 8 MB Content-Length upload", async () => {
    const { url } = await proxyTo(await echoBackend());
    const body = Buffer.alloc(8 * 1024 * 1024, 7).toString("latin1");
    const reply = await client(url).send({ method: "PUT", path: "/big", body });
    expect(JSON.parse(reply.body)).toEqual({
      length: body.length,
      sha: sha(Buffer.from(body, "latin1")),
      te: null,
    });
  });
});

describe("responses", () => {
  it("streams a large chunked response byte for byte", async () => {
    const block = Buffer.alloc(64 * 1024);
    for (let i = 0; i < block.length; i++) block[i] = (i * 31) & 0xff;
    const { url } = await proxyTo(
      await backend((_, res) => {
        res.writeHead(200, { "content-type": "application/octet-stream" });
        let sent = 0;
        const pump = (): void => {
          while (sent < 128) {
            sent++;
            if (!res.write(block)) {
              res.once("drain", pump);
              return;
            }
          }
          res.end();
        };
        pump();
      }),
    );
    const reply = await new Promise<Buffer>((resolve, reject) => {
      request(new URL("/stream", url), (res) => {
        const chunks: Buffer[] = [];
        res.on("data", (c: Buffer) => chunks.push(c));
        res.on("end", () => resolve(Buffer.concat(chunks)));
      })
        .on("error", reject)
        .end();
    });
    expect(reply.length).toBe(128 * block.length);
    expect(sha(reply)).toBe(sha(Buffer.concat(Array(128).fill(block))));
  });

  it("passes status, repeated headers, HEAD, 204 and 304 through", async () => {
    const { url } = await proxyTo(
      await backend((req, res) => {
        if (req.url === "/204") return void res.writeHead(204).end();
        if (req.url === "/304") return void res.writeHead(304, { etag: '"x"' }).end();
        res.writeHead(418, "I'm a teapot", [
          ["set-cookie", "a=1"],
          ["set-cookie", "b=2"],
          ["content-length", "5"],
        ]);
        res.end(req.method === "HEAD" ? undefined : "short");
      }),
    );
    const c = client(url);
    const teapot = await c.send();
    expect([teapot.status, teapot.body, teapot.headers["set-cookie"]]).toEqual([
      418,
      "short",
      ["a=1", "b=2"],
    ]);
    const head = await c.send({ method: "HEAD" });
    expect([head.status, head.body, head.headers["content-length"]]).toEqual([418, "", "5"]);
    expect((await c.send({ path: "/204" })).status).toBe(204);
    const notModified = await c.send({ path: "/304" });
    expect([notModified.status, notModified.headers.etag]).toEqual([304, '"x"']);
    expect((await c.send()).body).toBe("short"); // the connection is still in a clean state
  });
});

describe("upstream connections", () => {
  it("reuses keep-alive connections", async () => {
    const raw = await startRawBackend((socket) => {
      socket.write("HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok");
    });
    cleanups.push(() => raw.close());
    const { url } = await proxyTo(raw.url);
    const replies = await client(url).many(50, () => ({}), 1);
    expect(replies.every((r) => r.body === "ok")).toBe(true);
    expect(raw.connections).toBe(1);
  });

  it("does not reuse a connection the upstream closes, or one answered with Connection: close", async () => {
    const raw = await startRawBackend((socket, _, i) => {
      socket.write(`HTTP/1.1 200 OK\r\nConnection: close\r\nContent-Length: ${String(i).length}\r\n\r\n${i}`);
      socket.end();
    });
    cleanups.push(() => raw.close());
    const { url } = await proxyTo(raw.url);
    const replies = await client(url).many(20, () => ({}), 1);
    expect(replies.map((r) => r.body)).toEqual(Array.from({ length: 20 }, (_, i) => String(i)));
    expect(raw.connections).toBe(20);
  });

  it("survives upstreams that close idle keep-alive connections early, for GET and POST", async () => {
    const url = (await proxyTo(await backend((_, res) => res.end("fine"), 30))).url;
    const c = client(url);
    for (let i = 0; i < 5; i++) {
      await new Promise((r) => setTimeout(r, 80));
      expect((await c.send()).body).toBe("fine");
      await new Promise((r) => setTimeout(r, 80));
      expect((await c.send({ method: "POST", body: "x" })).body).toBe("fine");
    }
  });

  it("cuts the client's response off when the upstream dies mid-body, and counts a 502", async () => {
    const raw = await startRawBackend((socket) => {
      socket.write("HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\nonly ten b");
      setTimeout(() => socket.destroy(), 20);
    });
    cleanups.push(() => raw.close());
    const { proxy, url } = await proxyTo(raw.url);
    await expect(client(url).send()).rejects.toThrow(/aborted|socket hang up|ECONNRESET/);
    await new Promise((r) => setTimeout(r, 20));
    expect(proxy.metrics.window({ version: "stable", sinceMs: 0 })).toMatchObject({
      requests: 1,
      errors5xx: 1,
    });
  });

  it("answers 502 to a response that is not HTTP, or has a header Node will not send", async () => {
    const raw = await startRawBackend((socket, head) => {
      if (head.startsWith("GET /garbage")) socket.write("SSH-2.0-OpenSSH\r\n\r\n");
      else socket.write("HTTP/1.1 200 OK\r\nX-Bad: a\u0001b\r\nContent-Length: 0\r\n\r\n");
    });
    cleanups.push(() => raw.close());
    const { url } = await proxyTo(raw.url);
    const garbage = await client(url).send({ path: "/garbage" });
    expect(garbage.status).toBe(502);
    expect(garbage.body).toMatch(/invalid response: malformed status line 'SSH-2.0-OpenSSH'/);
    const badHeader = await client(url).send({ path: "/bad-header" });
    expect(badHeader.status).toBe(502);
    expect(badHeader.body).toMatch(/a header Node will not send/);
  });

  it("closes the upstream connection when the client goes away mid-response", async () => {
    let upstreamClosed: () => void = () => {};
    const closed = new Promise<void>((resolve) => {
      upstreamClosed = resolve;
    });
    const { url } = await proxyTo(
      await backend((_, res) => {
        res.writeHead(200);
        res.write("first part");
        res.on("close", () => upstreamClosed());
      }),
    );
    await new Promise<void>((resolve, reject) => {
      const req = request(url, (res) => {
        res.once("data", () => {
          req.destroy();
          resolve();
        });
      });
      req.on("error", () => {});
      req.on("close", () => resolve());
      setTimeout(() => reject(new Error("no data")), 2000);
      req.end();
    });
    await closed;
  });
});
