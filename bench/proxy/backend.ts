/**
 * A benchmark backend: a small keep-alive Node HTTP server in its own process that answers every request
 * with a short text body naming itself. Prints `{"port":…}` on one line when it listens.
 */
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";

const name = process.argv[2] ?? "backend";
const body = Buffer.from(`hello from ${name}\n`);
const headers = ["content-type", "text/plain", "content-length", String(body.length), "x-backend", name];

const server = createServer({ keepAliveTimeout: 65_000 }, (req, res) => {
  req.resume();
  res.writeHead(200, headers);
  res.end(body);
});
server.listen(0, "127.0.0.1", () => {
  console.log(JSON.stringify({ port: (server.address() as AddressInfo).port }));
});
process.on("SIGTERM", () => process.exit(0));
