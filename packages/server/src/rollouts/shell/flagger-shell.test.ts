import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type LocalServer, startLocalServer } from "../../plugins/metrics/http/local-server.shared-test.js";
import type { Effect, LoadTest, WebhookCall } from "../decide.js";
import type { FlaggerWebhook } from "../flagger-types.js";
import { FlaggerShell } from "./flagger-shell.js";

let server: LocalServer;
let base: string;
const posts: { path: string; body: unknown }[] = [];
const loads: (string | undefined)[] = [];
const status = new Map<string, number>();

beforeAll(async () => {
  server = await startLocalServer((req, res) => {
    const path = req.url;
    if (req.method === "POST") posts.push({ path, body: JSON.parse(req.body) });
    else loads.push(req.headers["x-ramp-load-test"] as string | undefined);
    res.writeHead(status.get(path) ?? 200).end();
  });
  base = server.url;
});

afterAll(async () => {
  await server.close();
});

const webhook = (name: string, type: FlaggerWebhook["type"], url = `${base}/${name}`): FlaggerWebhook => ({
  name,
  type,
  url,
  timeoutSeconds: 2,
  retries: 0,
  metadata: url === "ramp:load-test" ? { cmd: "hey -z 10s -q 20 -c 1" } : {},
  muteAlert: false,
});

const call = (id: string, hook: FlaggerWebhook, awaited = true): WebhookCall => ({
  kind: "callWebhook",
  id,
  webhook: hook,
  payload: { name: "web", namespace: "default", phase: "Progressing", checksum: "00000000", metadata: {} },
  awaited,
});

function shell() {
  let triggers = 0;
  const logs: string[] = [];
  const s = new FlaggerShell({
    loadTarget: async () => `${base}/load`,
    trigger: () => {
      triggers++;
    },
    log: (m) => logs.push(m),
  });
  return { s, logs, triggers: () => triggers };
}

const until = async (ok: () => boolean) => {
  for (let i = 0; i < 200 && !ok(); i++) await new Promise((r) => setTimeout(r, 10));
  expect(ok()).toBe(true);
};

describe("FlaggerShell", () => {
  it("calls each id once however often it is wanted, and reports the answers", async () => {
    posts.length = 0;
    status.set("/gate", 403);
    const { s, triggers } = shell();
    const gate = call("web-r2-i4-gate", webhook("gate", "confirm-promotion"));
    await s.apply([gate]);
    await s.apply([gate]);
    await until(() => s.outcomes()["web-r2-i4-gate"] !== undefined);
    await s.apply([gate]);
    expect(s.outcomes()).toEqual({ "web-r2-i4-gate": { passed: false, message: "HTTP 403" } });
    expect(posts.map((p) => p.path)).toEqual(["/gate"]);
    expect(triggers()).toBe(1);
    // The next interval's call is a new id: asked again. The old answer is dropped once unwanted.
    status.set("/gate", 200);
    await s.apply([call("web-r2-i5-gate", webhook("gate", "confirm-promotion"))]);
    await until(() => s.outcomes()["web-r2-i5-gate"] !== undefined);
    expect(s.outcomes()).toEqual({ "web-r2-i5-gate": { passed: true, message: "HTTP 200" } });
    s.close();
  });

  it("sends fire-and-forget calls once, logs their failures, never reports them", async () => {
    posts.length = 0;
    status.set("/after", 500);
    const { s, logs, triggers } = shell();
    const after = call("web-r2-post-rollout-after", webhook("after", "post-rollout"), false);
    await s.apply([after]);
    await until(() => logs.length > 0);
    await s.apply([]);
    expect(posts.map((p) => p.path)).toEqual(["/after"]);
    expect(logs).toEqual(["post-rollout webhook after failed: HTTP 500"]);
    expect(s.outcomes()).toEqual({});
    expect(triggers()).toBe(0);
    s.close();
  });

  it("runs a load test while it is wanted, with the routing header; its webhook passes once it runs", async () => {
    loads.length = 0;
    const { s } = shell();
    const hook = webhook("load", "rollout", "ramp:load-test");
    const load: LoadTest = {
      kind: "loadTest",
      id: "web-r2-load",
      webhook: hook,
      canaryVersion: "v2",
      header: { name: "x-ramp-load-test", value: "web-r2" },
    };
    const effects: Effect[] = [load, call("web-r2-i3-load", hook)];
    await s.apply(effects);
    expect(s.outcomes()["web-r2-i3-load"]).toMatchObject({ passed: true });
    await until(() => loads.length >= 4);
    expect(new Set(loads)).toEqual(new Set(["web-r2"]));
    await s.apply([]);
    await new Promise((r) => setTimeout(r, 150));
    const stopped = loads.length;
    await new Promise((r) => setTimeout(r, 300));
    expect(loads.length).toBe(stopped);
    s.close();
  });
});
