import { createServer } from "node:net";

/**
 * A port the OS considers free on 127.0.0.1 right now (bind port 0, read it, release it). Another
 * process may take it before the caller binds it, so callers retry on a bind failure where that matters.
 */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const address = server.address();
      const port = typeof address === "object" && address !== null ? address.port : 0;
      server.close(() => (port > 0 ? resolve(port) : reject(new Error("could not find a free port"))));
    });
  });
}
