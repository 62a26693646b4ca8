import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { compileCondition, evaluateConditions } from "../../../analysis/conditions.js";
import { IssueList } from "../../../analysis/issues.js";
import type { Metric } from "../../../analysis/types.js";
import { parseProviderSpec } from "../factory.js";
import type { MeasurementResult } from "../provider.js";
import { describeMetricProviderContract } from "../provider-contract.shared-test.js";
import { CommandMetricProvider, parseOutput } from "./index.js";

const NODE = process.execPath;
const ctx = (signal = new AbortController().signal) => ({ now: Date.now(), signal, runName: "r" });
const metric = (
  settings: Record<string, unknown>,
  fields: Partial<Metric> = { successCondition: "result.exitCode == 0" },
): Metric => ({ name: "m", provider: { command: settings }, ...fields }) as Metric;
const measure = (settings: Record<string, unknown>, fields?: Partial<Metric>, c = ctx()) =>
  new CommandMetricProvider().measure(metric(settings, fields), c);

const dir = mkdtempSync(join(tmpdir(), "ramp-command-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describeMetricProviderContract("command", {
  provider: () => new CommandMetricProvider(),
  metric: metric({ command: [NODE, "-e", "console.log(0.99)"] }),
  type: "command",
});

describe("command metrics run real processes", () => {
  it("JSON on stdout becomes result.stdout; the exit code is result.exitCode", async () => {
    const r = await measure({
      command: [NODE, "-e", "console.log(JSON.stringify({errorRate: 0.001, ok: true}))"],
    });
    expect(r).toEqual({ value: { exitCode: 0, stdout: { errorRate: 0.001, ok: true }, stderr: "" } });
    expect(judge("result.exitCode == 0 && result.stdout.errorRate < 0.01", r)).toBe("Successful");
  });

  it("a string command runs under /bin/sh -c; a bare number (NaN too) is a number, other text stays text", async () => {
    expect(await measure({ command: "echo 0.97" })).toEqual({
      value: { exitCode: 0, stdout: 0.97, stderr: "" },
    });
    const nan = await measure({ command: "echo NaN" });
    expect("value" in nan && Number.isNaN((nan.value as { stdout: number }).stdout)).toBe(true);
    expect(await measure({ command: "echo all good; echo note >&2" })).toEqual({
      value: { exitCode: 0, stdout: "all good", stderr: "note" },
    });
  });

  it("env and cwd are applied", async () => {
    const r = await measure({
      command: [NODE, "-e", "console.log(JSON.stringify([process.env.TARGET, process.cwd()]))"],
      env: { TARGET: "payment" },
      cwd: dir,
    });
    expect(r).toEqual({ value: { exitCode: 0, stdout: ["payment", dir], stderr: "" } });
  });

  it("a non-zero exit is a value the conditions judge: Failed, not an error", async () => {
    const r = await measure({ command: "echo '{\"failed\": 3}'; echo boom >&2; exit 3" });
    expect(r).toEqual({ value: { exitCode: 3, stdout: { failed: 3 }, stderr: "boom" } });
    expect(judge("result.exitCode == 0", r)).toBe("Failed");
  });

  it("without conditions it is judged like Argo's job: exit 0 passes, another exit is an error", async () => {
    expect(await measure({ command: "true" }, {})).toEqual({
      value: { exitCode: 0, stdout: "", stderr: "" },
    });
    expect(await measure({ command: "echo boom >&2; exit 3" }, {})).toEqual({
      error: "command: exited with code 3: boom",
    });
  });

  it("a timeout kills the whole process group, background children included", async () => {
    const pidFile = join(dir, "child.pid");
    const started = Date.now();
    const r = await measure({ command: `sleep 30 & echo $! > '${pidFile}'; wait`, timeoutSeconds: 1 });
    expect(r).toEqual({ error: "command: timed out after 1s" });
    expect(Date.now() - started).toBeLessThan(5000);
    await expectGone(Number(readFileSync(pidFile, "utf8")));
  });

  it("a background process holding stdout does not keep the measurement waiting, and is killed", async () => {
    const pidFile = join(dir, "bg.pid");
    const started = Date.now();
    const r = await measure({ command: `sleep 30 & echo $! > '${pidFile}'; echo 1` });
    expect(r).toEqual({ value: { exitCode: 0, stdout: 1, stderr: "" } });
    expect(Date.now() - started).toBeLessThan(5000);
    await expectGone(Number(readFileSync(pidFile, "utf8")));
  });

  it("an abort kills the command", async () => {
    const controller = new AbortController();
    setTimeout(() => controller.abort(), 200);
    const started = Date.now();
    expect(await measure({ command: "sleep 30" }, undefined, ctx(controller.signal))).toEqual({
      error: "command: aborted",
    });
    expect(Date.now() - started).toBeLessThan(5000);
  });

  it("a program that does not exist, or a cwd that is not a directory, is an error", async () => {
    expect(await measure({ command: ["/nonexistent/check"] })).toEqual({
      error: 'command: cannot start "/nonexistent/check": not found',
    });
    expect(await measure({ command: "true", cwd: join(dir, "missing") })).toEqual({
      error: `command: cwd ${JSON.stringify(join(dir, "missing"))} is not a directory`,
    });
  });

  it("stdout is cut at 64 KiB and then left as text", async () => {
    const r = await measure({ command: [NODE, "-e", "process.stdout.write('7'.repeat(100000))"] });
    expect("value" in r && (r.value as { stdout: string }).stdout).toBe("7".repeat(64 * 1024));
  });
});

describe("parseOutput", () => {
  it.each([
    ["42\n", 42],
    ["-1.5e3", -1500],
    [".5", 0.5],
    ["+Inf", Number.POSITIVE_INFINITY],
    ["true", true],
    ['"quoted"', "quoted"],
    ["[1, 2]", [1, 2]],
    ["not json", "not json"],
    ["", ""],
  ])("%j", (text, value) => {
    expect(parseOutput(text)).toEqual(value);
  });
});

describe("command settings are checked when the template loads, with paths", () => {
  const problems = (settings: unknown) => {
    const issues = new IssueList();
    parseProviderSpec({ command: settings }, "p", issues, false);
    return issues.items.map((i) => `${i.path}: ${i.message}`);
  };

  it("accepts a string or an argv list, env, cwd and timeoutSeconds; placeholders included", () => {
    expect(
      problems({ command: "./check.sh {{args.service}}", env: { A: "1" }, cwd: "/tmp", timeoutSeconds: 5 }),
    ).toEqual([]);
    expect(problems({ command: ["node", "check.mjs"] })).toEqual([]);
  });

  it("reports every bad field", () => {
    expect(
      problems({ command: ["", 3], env: { "BAD-NAME": "x", N: 1 }, cwd: "", timeoutSeconds: 0, shell: true }),
    ).toEqual([
      "p.command.shell: unknown field 'shell'",
      "p.command.command[0]: the program cannot be empty",
      "p.command.command[1]: expected a string, got number 3",
      "p.command.env.BAD-NAME: expected a variable name (letters, digits, _)",
      "p.command.env.N: expected a string (quote numbers), got number 1",
      'p.command.cwd: expected a directory, got the string ""',
      "p.command.timeoutSeconds: expected a number of seconds > 0, got number 0",
    ]);
    expect(problems({})).toEqual([
      "p.command.command: required: a command line, or a list [program, arg, …]",
    ]);
  });
});

function judge(condition: string, r: MeasurementResult): string {
  const c = compileCondition(condition);
  if (!c.ok) throw new Error(c.message);
  if (!("value" in r)) throw new Error(`no value: ${JSON.stringify(r)}`);
  return evaluateConditions({ successCondition: c.condition }, r.value, Date.now()).phase;
}

async function expectGone(pid: number): Promise<void> {
  expect(pid).toBeGreaterThan(0);
  const until = Date.now() + 3000;
  while (Date.now() < until) {
    try {
      process.kill(pid, 0);
    } catch {
      return;
    }
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`process ${pid} is still running`);
}
