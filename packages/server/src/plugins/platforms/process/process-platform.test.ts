import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, afterEach, describe, expect, it } from "vitest";
import { describePlatformContract, expectPlatformError } from "../platform.shared-test.js";
import { ProcessPlatform, type ProcessPlatformOptions } from "./process-platform.js";
import {
  DEMO_SERVICE,
  definedPids,
  demoRequest,
  get,
  isRunning,
  until,
} from "./process-test-kit.shared-test.js";

const dir = mkdtempSync(join(tmpdir(), "ramp-process-platform-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const fast: ProcessPlatformOptions = {
  terminationGraceMs: 2000,
  restartBackoff: { initialMs: 50, maxMs: 400 },
};

describePlatformContract("process", {
  create: () => new ProcessPlatform(fast),
  request: (service, version, replicas) => demoRequest(service, version, replicas),
  unready: (service, version) =>
    demoRequest(service, version, 1, { env: { READY_DELAY_MS: "600000" }, readiness: { timeoutMs: 400 } }),
  scales: true,
});

/** A node program given as `node -e`, serving 200 on every path at PORT unless it says otherwise. */
function nodeScript(source: string): string[] {
  return [process.execPath, "-e", source];
}
const SERVE = `require("node:http").createServer((q, r) => r.end("ok")).listen(Number(process.env.PORT), "127.0.0.1");`;

describe("process platform", () => {
  const platforms: ProcessPlatform[] = [];
  const open = (options: ProcessPlatformOptions = {}): ProcessPlatform => {
    const platform = new ProcessPlatform({ ...fast, ...options });
    platforms.push(platform);
    return platform;
  };
  afterEach(async () => {
    await Promise.all(platforms.splice(0).map((p) => p.close()));
  });

  it("gives each replica its own port and RAMP_* env; every replica answers", async () => {
    const platform = open();
    const deployment = await platform.deploy(demoRequest("shop", "v7", 3));
    const ports = deployment.targets.map((target) => Number(new URL(target).port));
    expect(new Set(ports).size).toBe(3);
    const answers = await Promise.all(deployment.targets.map((target) => get(`${target}/`)));
    expect(answers.map((a) => a.status)).toEqual([200, 200, 200]);
    expect(answers.map((a) => JSON.parse(a.body))).toEqual([
      { service: "shop", version: "v7", replica: 0 },
      { service: "shop", version: "v7", replica: 1 },
      { service: "shop", version: "v7", replica: 2 },
    ]);
    const status = await platform.status("shop", "v7");
    expect(new Set(definedPids(status.replicas)).size).toBe(3);
  });

  it("restarts a replica killed with SIGKILL on the same URL, counts it, and it becomes ready again", async () => {
    const platform = open();
    const { targets } = await platform.deploy(demoRequest("shop", "v1", 2));
    const before = await platform.status("shop", "v1");
    const victim = before.replicas[1]?.pid;
    if (victim === undefined) throw new Error("replica 1 has no pid");
    process.kill(victim, "SIGKILL");

    const after = await until("replica 1 restarted and ready", async () => {
      const replica = (await platform.status("shop", "v1")).replicas[1];
      return replica?.ready && replica.restarts === 1 ? replica : undefined;
    });
    expect(after.pid).not.toBe(victim);
    expect(after.url).toBe(targets[1]);
    expect(after.lastExit).toMatchObject({ code: null, signal: "SIGKILL" });
    expect(isRunning(victim)).toBe(false);
    expect((await platform.status("shop", "v1")).replicas[0]).toMatchObject({ restarts: 0, ready: true });
    expect(JSON.parse((await get(`${after.url}/`)).body)).toMatchObject({ replica: 1 });
    const notes = (await platform.logs("shop", "v1"))
      .filter((l) => l.stream === "platform")
      .map((l) => l.text);
    expect(notes).toContain("killed by SIGKILL");
    expect(notes).toContain("restarting in 50 ms");
  });

  it("a readiness timeout names the cause and leaves none of the processes running", async () => {
    const platform = open();
    const pidFile = join(dir, "unready.pids");
    const error = await expectPlatformError(
      platform.deploy({
        service: "shop",
        version: "slow",
        replicas: 2,
        // The shell records its pid and becomes node (exec), so the recorded pid is the replica's.
        command: `echo $$ >> '${pidFile}'; exec '${process.execPath}' '${DEMO_SERVICE}'`,
        env: { READY_DELAY_MS: "600000" },
        readiness: { intervalMs: 50, timeoutMs: 600 },
      }),
      "READINESS_TIMEOUT",
    );
    expect(error.message).toContain("not ready after 600 ms");
    expect(error.message).toContain("2 of 2 replicas not ready");
    expect(error.message).toContain("GET /healthz: HTTP 503");
    const pids = readFileSync(pidFile, "utf8").trim().split("\n").map(Number);
    expect(pids).toHaveLength(2);
    for (const pid of pids) expect(isRunning(pid)).toBe(false);
    expect((await platform.status("shop", "slow")).replicas).toEqual([]);
  });

  it("a crash-looping command backs off between restarts and its timeout error quotes its output", async () => {
    const platform = open();
    const error = await expectPlatformError(
      platform.deploy({
        service: "shop",
        version: "crashy",
        replicas: 1,
        command: `echo "cannot connect to the database" >&2; exit 3`,
        readiness: { intervalMs: 50, timeoutMs: 1000 },
      }),
      "READINESS_TIMEOUT",
    );
    expect(error.message).toContain("last exit code 3");
    expect(error.message).toContain("cannot connect to the database");
    expect(error.message).toMatch(/restarted \d+ times/);
  });

  it("a command that cannot start fails at once with SPAWN_FAILED", async () => {
    const platform = open();
    const began = Date.now();
    const error = await expectPlatformError(
      platform.deploy(demoRequest("shop", "v1", 2, { command: [join(dir, "no-such-binary")] })),
      "SPAWN_FAILED",
    );
    expect(error.message).toContain("ENOENT");
    expect(Date.now() - began).toBeLessThan(5000);
    expect((await platform.status("shop", "v1")).replicas).toEqual([]);
  });

  it("scale down stops the highest replicas' processes; scale up starts new ones", async () => {
    const platform = open();
    await platform.deploy(demoRequest("shop", "v1", 3));
    const three = definedPids((await platform.status("shop", "v1")).replicas);
    expect(three).toHaveLength(3);

    await platform.scale("shop", "v1", 1);
    expect(three.map(isRunning)).toEqual([true, false, false]);

    const up = await platform.scale("shop", "v1", 2);
    const two = (await platform.status("shop", "v1")).replicas;
    expect(two.map((r) => r.replica)).toEqual([0, 1]);
    expect(two[0]?.pid).toBe(three[0]);
    expect(JSON.parse((await get(`${up.targets[1]}/`)).body)).toMatchObject({ replica: 1 });
  });

  it("a delayed teardown keeps the processes until the deadline; a cancelled one keeps them for good", async () => {
    const platform = open();
    await platform.deploy(demoRequest("shop", "old", 1));
    await platform.deploy(demoRequest("shop", "kept", 1));
    const [old] = definedPids((await platform.status("shop", "old")).replicas);
    const [kept] = definedPids((await platform.status("shop", "kept")).replicas);
    if (old === undefined || kept === undefined) throw new Error("no pids");

    const began = Date.now();
    const doomed = platform.teardown("shop", "old", { delayMs: 400 });
    const spared = platform.teardown("shop", "kept", { delayMs: 200 });
    expect(platform.cancelTeardown("shop", "kept")).toBe(true);
    expect(isRunning(old)).toBe(true);

    expect(await doomed).toBe("torn-down");
    expect(Date.now() - began).toBeGreaterThanOrEqual(395);
    expect(isRunning(old)).toBe(false);
    expect(await spared).toBe("cancelled");
    expect(isRunning(kept)).toBe(true);
  });

  it("teardown kills the whole process group: what the command started goes too", async () => {
    const platform = open();
    await platform.deploy({
      service: "shop",
      version: "v1",
      replicas: 1,
      command: `sleep 1000 & echo "helper $!"; exec '${process.execPath}' '${DEMO_SERVICE}'`,
      readiness: { intervalMs: 50 },
    });
    const line = await until("the helper's pid in the logs", async () =>
      (await platform.logs("shop", "v1")).find((l) => l.text.startsWith("helper ")),
    );
    const helper = Number(line.text.slice("helper ".length));
    expect(isRunning(helper)).toBe(true);
    await platform.teardown("shop", "v1");
    expect(isRunning(helper)).toBe(false);
  });

  it("teardown sends SIGKILL after the grace period to a command that ignores SIGTERM", async () => {
    const platform = open({ terminationGraceMs: 300 });
    await platform.deploy({
      service: "shop",
      version: "stubborn",
      replicas: 1,
      command: nodeScript(`${SERVE} process.on("SIGTERM", () => console.log("ignoring SIGTERM"));`),
      readiness: { path: "/", intervalMs: 50 },
    });
    const [pid] = definedPids((await platform.status("shop", "stubborn")).replicas);
    if (pid === undefined) throw new Error("no pid");
    const began = Date.now();
    await platform.teardown("shop", "stubborn");
    expect(Date.now() - began).toBeGreaterThanOrEqual(290);
    expect(isRunning(pid)).toBe(false);
  });

  it("keeps each replica's stdout and stderr in order, returns the tail, and writes a file per replica", async () => {
    const logsDir = join(dir, "logs");
    const platform = open({ logsDir, logLines: 50 });
    await platform.deploy({
      service: "shop",
      version: "chatty",
      replicas: 2,
      command: nodeScript(
        `for (let i = 0; i < 100; i++) console.log("line " + i + " of replica " + process.env.RAMP_REPLICA);` +
          `console.error("a warning");${SERVE}`,
      ),
      readiness: { path: "/", intervalMs: 50 },
    });
    const all = await until("both warnings", async () => {
      const lines = await platform.logs("shop", "chatty", { tail: 1000 });
      return lines.filter((l) => l.text === "a warning").length === 2 ? lines : undefined;
    });
    // The ring keeps the last 50 lines per replica.
    const ofReplica0 = all.filter((l) => l.replica === 0);
    expect(ofReplica0).toHaveLength(50);
    const printed = ofReplica0.filter((l) => l.stream === "stdout").map((l) => l.text);
    expect(printed.at(-1)).toBe("line 99 of replica 0");
    expect(printed).toEqual([...printed].sort((a, b) => Number(a.split(" ")[1]) - Number(b.split(" ")[1])));
    expect(ofReplica0.find((l) => l.text === "a warning")?.stream).toBe("stderr");

    const tail = await platform.logs("shop", "chatty", { tail: 3 });
    expect(tail).toEqual(all.slice(-3));
    await expectPlatformError(platform.logs("shop", "chatty", { tail: -1 }), "INVALID_REQUEST");

    await platform.teardown("shop", "chatty");
    const file = join(logsDir, "shop", "chatty", "replica-1.log");
    expect(existsSync(file)).toBe(true);
    const text = readFileSync(file, "utf8");
    expect(text).toMatch(/^\S+Z platform started pid \d+ with PORT=\d+$/m);
    expect(text).toContain("stdout line 0 of replica 1\n");
    expect(text).toContain("stdout line 99 of replica 1\n");
    expect(text).toContain("stderr a warning\n");
    expect(text).toContain("platform stopping: SIGTERM");
  });

  it("close kills every replica of every version", async () => {
    const platform = open();
    await platform.deploy(demoRequest("shop", "v1", 2));
    await platform.deploy(demoRequest("cart", "v1", 1));
    const pids = [
      ...definedPids((await platform.status("shop", "v1")).replicas),
      ...definedPids((await platform.status("cart", "v1")).replicas),
    ];
    expect(pids).toHaveLength(3);
    await platform.close();
    for (const pid of pids)
      expect(() => process.kill(pid, 0)).toThrow(expect.objectContaining({ code: "ESRCH" }));
  });

  it("listens for SIGINT, SIGTERM and SIGHUP only while replicas run", async () => {
    const signals = ["SIGINT", "SIGTERM", "SIGHUP"] as const;
    const count = () => signals.map((signal) => process.listenerCount(signal));
    const before = count();
    const platform = open();
    await platform.deploy(demoRequest("shop", "v1", 2));
    expect(count()).toEqual(before.map((n) => n + 1));
    await platform.close();
    expect(count()).toEqual(before);
  });

  it("refuses a second deploy of a version with another command, and requests it cannot run", async () => {
    const platform = open();
    await platform.deploy(demoRequest("shop", "v1", 1));
    const conflict = await expectPlatformError(
      platform.deploy(demoRequest("shop", "v1", 1, { env: { ERROR_RATE: "0.5" } })),
      "SPEC_CONFLICT",
    );
    expect(conflict.message).toContain("tear it down first");
    const { command: _, ...withoutCommand } = demoRequest("shop", "v2", 1);
    expect((await expectPlatformError(platform.deploy(withoutCommand), "INVALID_REQUEST")).message).toContain(
      "'command'",
    );
    const withUrls = demoRequest("shop", "v2", 1, { urls: ["http://127.0.0.1:1"] });
    expect((await expectPlatformError(platform.deploy(withUrls), "INVALID_REQUEST")).message).toContain(
      "'urls'",
    );
    const badCwd = demoRequest("shop", "v2", 1, { cwd: join(dir, "missing") });
    expect((await expectPlatformError(platform.deploy(badCwd), "INVALID_REQUEST")).message).toContain("cwd");
  });

  it("a deploy of a version being torn down waits for the teardown, then starts afresh", async () => {
    const platform = open();
    await platform.deploy(demoRequest("shop", "v1", 1));
    const [first] = definedPids((await platform.status("shop", "v1")).replicas);
    const teardown = platform.teardown("shop", "v1");
    const again = await platform.deploy(demoRequest("shop", "v1", 1));
    expect(await teardown).toBe("torn-down");
    expect(again.ready).toBe(true);
    const [second] = definedPids((await platform.status("shop", "v1")).replicas);
    expect(second).not.toBe(first);
    expect(isRunning(second ?? 0)).toBe(true);
  });
});
