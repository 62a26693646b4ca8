/**
 * The detection benchmark's Ramp server: `startServer` on a fresh SQLite file, with the rollout
 * controller, in its own process so the load generator does not share its event loop. Every rollout
 * notification is appended to `<data>/events.jsonl` with the time it was made (after the effects
 * before it, such as the abort's routing, were applied). Prints `{"url":…}` on one line when it listens.
 */
import { appendFileSync } from "node:fs";
import { join } from "node:path";
import { startServer } from "@ramp/server";

const data = process.env.RAMP_BENCH_DATA;
const adminToken = process.env.RAMP_BENCH_ADMIN_TOKEN;
if (data === undefined || adminToken === undefined)
  throw new Error("RAMP_BENCH_DATA and RAMP_BENCH_ADMIN_TOKEN are required");

const events = join(data, "events.jsonl");
const server = await startServer({
  host: "127.0.0.1",
  port: 0,
  data,
  adminToken,
  // The controller's log goes to stderr, which the benchmark keeps for error messages.
  log: (message) => console.error(message),
  onRolloutEvent: (rollout, event, message) => {
    appendFileSync(events, `${JSON.stringify({ at: Date.now(), rollout, event, message })}\n`);
  },
});
console.log(JSON.stringify({ url: server.url }));

const stop = async (): Promise<void> => {
  await server.close();
  process.exit(0);
};
process.once("SIGTERM", () => void stop());
process.once("SIGINT", () => void stop());
