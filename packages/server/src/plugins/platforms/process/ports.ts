/** Free TCP ports, chosen by the OS: bind port 0, read the port, release it for the replica to bind. */
import { createServer } from "node:net";

function bindEphemeral(host: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.once("error", reject);
    server.listen({ port: 0, host, exclusive: true }, () => {
      const address = server.address();
      const port = typeof address === "object" && address !== null ? address.port : 0;
      server.close(() => (port > 0 ? resolve(port) : reject(new Error(`no port from ${host}`))));
    });
  });
}

/**
 * A port free on `host` now and not in `reserved` (ports this platform already gave to replicas,
 * which may be between a crash and a restart). Adds it to `reserved`.
 */
export async function reservePort(host: string, reserved: Set<number>): Promise<number> {
  for (let attempt = 0; attempt < 20; attempt++) {
    const port = await bindEphemeral(host);
    if (!reserved.has(port)) {
      reserved.add(port);
      return port;
    }
  }
  throw new Error(`no free port on ${host} after 20 attempts`);
}
