/**
 * The propagation benchmark's server: a real Ramp server on a fresh SQLite file, in its own process so
 * the 500 stream clients do not share its CPU. Prints `{"url":…}` on one line when it listens.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { startServer } from "@ramp/server";

const adminToken = process.env.RAMP_BENCH_ADMIN_TOKEN;
if (adminToken === undefined) throw new Error("RAMP_BENCH_ADMIN_TOKEN is required");
const data = mkdtempSync(join(tmpdir(), "ramp-propagation-"));
const server = await startServer({ host: "127.0.0.1", port: 0, data, adminToken });
console.log(JSON.stringify({ url: server.url }));

const stop = async (): Promise<void> => {
  await server.close();
  rmSync(data, { recursive: true, force: true });
  process.exit(0);
};
process.on("SIGTERM", () => void stop());
process.on("SIGINT", () => void stop());
