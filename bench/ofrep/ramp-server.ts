/**
 * The OFREP benchmark's Ramp server: `startServer` on the benchmark's PostgreSQL, in its own process so
 * the load generator does not share its event loop. Prints `{"url":…}` on one line when it listens.
 */
import { startServer } from "@ramp/server";

const database = process.env.RAMP_BENCH_DATABASE;
const adminToken = process.env.RAMP_BENCH_ADMIN_TOKEN;
if (database === undefined || adminToken === undefined)
  throw new Error("RAMP_BENCH_DATABASE and RAMP_BENCH_ADMIN_TOKEN are required");

const server = await startServer({ host: "127.0.0.1", port: 0, database, adminToken });
console.log(JSON.stringify({ url: server.url }));

const stop = async (): Promise<void> => {
  await server.close();
  process.exit(0);
};
process.once("SIGTERM", () => void stop());
process.once("SIGINT", () => void stop());
