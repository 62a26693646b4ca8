/**
 * Issue 3, must-show 1, as a user does it: `ramp server` on SQLite, `ramp apply -f examples/flags.yaml`,
 * a Node app on @openfeature/server-sdk with Ramp's provider sees the seed's behaviour, and
 * `ramp flags off new_checkout --env production` reaches the app, which then serves the off variant.
 */
import { type ChildProcess, spawn, spawnSync } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { OpenFeature, ProviderEvents } from "@openfeature/server-sdk";
import { RampProvider } from "@ramp/openfeature";
import { afterAll, expect, it } from "vitest";

const root = fileURLToPath(new URL("..", import.meta.url));
const cli = join(root, "packages/cli/dist/main.js");
const data = mkdtempSync(join(tmpdir(), "ramp-journey-"));
let server: ChildProcess | undefined;

afterAll(async () => {
  await OpenFeature.close();
  server?.kill("SIGTERM");
  rmSync(data, { recursive: true, force: true });
});

function startServer(): Promise<{ url: string; token: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [cli, "server", "--port", "0", "--data", data], { cwd: root });
    server = child;
    let out = "";
    const timer = setTimeout(() => reject(new Error(`ramp server did not start:\n${out}`)), 20_000);
    const onData = (d: Buffer) => {
      out += d.toString();
      const url = /(http:\/\/127\.0\.0\.1:\d+)/.exec(out)?.[1];
      const token = /(ramp_admin_[0-9A-Za-z]{40})/.exec(out)?.[1];
      if (url !== undefined && token !== undefined) {
        clearTimeout(timer);
        resolve({ url, token });
      }
    };
    child.stdout?.on("data", onData);
    child.stderr?.on("data", onData);
  });
}

function ramp(args: string[], env: Record<string, string>) {
  const r = spawnSync(process.execPath, [cli, ...args], {
    cwd: root,
    encoding: "utf8",
    env: { ...process.env, ...env },
  });
  expect(r.status, `ramp ${args.join(" ")}\n${r.stdout}\n${r.stderr}`).toBe(0);
  return r.stdout;
}

it("server, apply, an OpenFeature app, the kill switch reaching the app", async () => {
  const { url, token } = await startServer();
  const env = { RAMP_SERVER: url, RAMP_TOKEN: token };
  ramp(["apply", "-f", "examples/flags.yaml"], env);
  const sdkToken = (
    JSON.parse(ramp(["token", "create", "--scope", "server", "--env", "production", "-o", "json"], env)) as {
      token: string;
    }
  ).token;

  await OpenFeature.setProviderAndWait(new RampProvider({ url, token: sdkToken }));
  const app = OpenFeature.getClient("checkout-app");
  const on = (ctx: Record<string, string>) => app.getBooleanValue("new_checkout", false, ctx);

  expect(await on({ targetingKey: "beta-1" })).toBe(true);
  expect(await on({ targetingKey: "u-1", plan: "enterprise", country: "DE" })).toBe(true);
  expect(await on({ targetingKey: "u-2", plan: "free", country: "VN" })).toBe(true);
  const users = Array.from({ length: 4000 }, (_, i) => ({
    targetingKey: `user-${i}`,
    plan: "free",
    country: "DE",
  }));
  const first = await Promise.all(users.map(on));
  const share = first.filter(Boolean).length / users.length;
  expect(Math.abs(share - 0.25)).toBeLessThan(4.5 * Math.sqrt((0.25 * 0.75) / users.length));
  expect(await Promise.all(users.map(on))).toEqual(first); // sticky
  const details = await app.getBooleanDetails("new_checkout", false, { targetingKey: "beta-1" });
  expect(details).toMatchObject({ value: true, variant: "on", reason: "TARGETING_MATCH" });

  const changed = new Promise<void>((resolve) =>
    app.addHandler(ProviderEvents.ConfigurationChanged, () => resolve()),
  );
  ramp(["flags", "off", "new_checkout", "--env", "production"], env);
  await changed;
  const off = await app.getBooleanDetails("new_checkout", true, { targetingKey: "beta-1" });
  expect(off).toMatchObject({ value: false, variant: "off", reason: "DISABLED" });
  expect((await Promise.all(users.map(on))).every((v) => v === false)).toBe(true);
}, 60_000);
