/** `ramp server` — runs the control plane in this process until SIGINT or SIGTERM. */
import { err, fail, out } from "../output.js";

export interface ServerOptions {
  readonly port?: number | undefined;
  readonly host?: string | undefined;
  readonly data?: string | undefined;
  readonly database?: string | undefined;
  /** The initial admin token's secret (RAMP_ADMIN_TOKEN) instead of a generated one. */
  readonly adminToken?: string | undefined;
}

export async function serverCommand(o: ServerOptions): Promise<void> {
  // Loaded here, not at the top: lint and eval should not pay for Fastify and the database drivers.
  const { startServer } = await import("@ramp/server");
  let server: Awaited<ReturnType<typeof startServer>>;
  try {
    server = await startServer({
      ...(o.port !== undefined && { port: o.port }),
      ...(o.host !== undefined && { host: o.host }),
      ...(o.data !== undefined && { data: o.data }),
      ...(o.database !== undefined && { database: o.database }),
      ...(o.adminToken !== undefined && { adminToken: o.adminToken }),
    });
  } catch (e) {
    err(`ramp server: cannot start: ${startFailure(e, o)}`);
    fail(1);
    return;
  }
  // The URL line comes last, so whoever waits for it (scripts, tests) has the token line already.
  if (server.initialAdminToken !== undefined) {
    out(`Admin token (shown this once; store it now): ${server.initialAdminToken}`);
    out(`  export RAMP_SERVER=${server.url} RAMP_TOKEN=${server.initialAdminToken}`);
  }
  out(`Ramp server listening on ${server.url}`);
  const signal = await new Promise<NodeJS.Signals>((resolve) => {
    process.once("SIGINT", resolve);
    process.once("SIGTERM", resolve);
  });
  err(`ramp server: ${signal}, stopping`);
  // A second signal while draining means "now": the one place an immediate exit is what the user asked for.
  const force = (): void => {
    err("ramp server: stopping now");
    process.exit(130);
  };
  process.once("SIGINT", force);
  process.once("SIGTERM", force);
  await server.close();
  process.removeListener("SIGINT", force);
  process.removeListener("SIGTERM", force);
  err("ramp server: stopped");
}

/** The usual reasons in words; anything else as the error says it. */
function startFailure(e: unknown, o: ServerOptions): string {
  const code = e instanceof Error && "code" in e ? String(e.code) : undefined;
  const at = `${o.host ?? "127.0.0.1"}:${o.port ?? 4320}`;
  if (code === "EADDRINUSE")
    return `${at} is in use: stop what listens there, or pick --port (0 = any free port)`;
  if (code === "EADDRNOTAVAIL") return `${o.host ?? "127.0.0.1"} is not an address of this machine (--host)`;
  if (code === "EACCES") return `not allowed to listen on ${at} (ports below 1024 need privileges)`;
  return e instanceof Error ? e.message : String(e);
}
