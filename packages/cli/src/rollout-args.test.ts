import { describe, expect, it } from "vitest";
import { parseInvocation } from "./args.js";
import { UsageError } from "./output.js";

const parse = (line: string, env: Record<string, string> = {}) =>
  parseInvocation(line.split(" ").filter(Boolean), env);
const remote = { server: "http://127.0.0.1:4320" };

describe("parseInvocation: ramp rollout", () => {
  it("apply needs -f FILE", () => {
    expect(parse("rollout apply -f examples/demo/rollout.yaml")).toEqual({
      command: "rollout apply",
      remote,
      options: { file: "examples/demo/rollout.yaml", json: false },
    });
    expect(parse("rollout apply --file - -o json")).toMatchObject({ options: { file: "-", json: true } });
    expect(() => parse("rollout apply")).toThrow("ramp rollout apply needs -f FILE");
    expect(() => parse("rollout apply x.yaml")).toThrow("unexpected argument 'x.yaml'");
    expect(() => parse("rollout apply -f x.yaml --watch")).toThrow(
      "ramp rollout apply does not take --watch",
    );
  });

  it("list, and the plural as an alias", () => {
    expect(parse("rollout list -o json")).toEqual({
      command: "rollout list",
      remote,
      options: { json: true },
    });
    expect(parse("rollouts list")).toMatchObject({ command: "rollout list" });
    expect(() => parse("rollout list demo")).toThrow("unexpected argument 'demo'");
  });

  it("get NAME, with --watch or -o json but not both", () => {
    expect(parse("rollout get demo")).toEqual({
      command: "rollout get",
      remote,
      options: { name: "demo", json: false, watch: false },
    });
    expect(parse("rollout get demo --watch")).toMatchObject({ options: { watch: true, json: false } });
    expect(parse("rollout get demo -w")).toMatchObject({ options: { watch: true } });
    expect(parse("rollout get demo -o json")).toMatchObject({ options: { json: true, watch: false } });
    expect(() => parse("rollout get demo --watch -o json")).toThrow(/--watch draws for people/);
    expect(() => parse("rollout get")).toThrow("ramp rollout get needs a rollout NAME");
    expect(() => parse("rollout get demo -o yaml")).toThrow("-o must be one of text, json; got 'yaml'");
  });

  it("the commands take NAME; promote takes --full; set-version takes VERSION", () => {
    expect(parse("rollout promote demo")).toEqual({
      command: "rollout act",
      remote,
      options: { name: "demo", verb: "promote", full: false, json: false },
    });
    expect(parse("rollout promote demo --full -o json")).toMatchObject({
      options: { verb: "promote", full: true, json: true },
    });
    for (const verb of ["pause", "resume", "abort", "retry", "undo"])
      expect(parse(`rollout ${verb} demo`)).toMatchObject({ options: { name: "demo", verb, full: false } });
    expect(parse("rollout set-version demo v2")).toMatchObject({
      options: { name: "demo", verb: "set-version", version: "v2" },
    });
    expect(() => parse("rollout abort demo --full")).toThrow("ramp rollout abort does not take --full");
    expect(() => parse("rollout set-version demo")).toThrow("ramp rollout set-version needs NAME VERSION");
    expect(() => parse("rollout set-version demo v2 v3")).toThrow("unexpected argument 'v3'");
    expect(() => parse("rollout pause")).toThrow(/needs a rollout NAME/);
  });

  it("reaches the server like every remote command", () => {
    expect(parse("rollout list", { RAMP_SERVER: "http://ramp:9000", RAMP_TOKEN: "t" })).toMatchObject({
      remote: { server: "http://ramp:9000", token: "t" },
    });
    expect(parse("rollout get demo --server http://other:1")).toMatchObject({
      remote: { server: "http://other:1" },
    });
  });

  it("names the subcommands when one is missing or unknown", () => {
    expect(() => parse("rollout")).toThrow(
      "ramp rollout needs a subcommand: apply, list, get, promote, pause, resume, abort, retry, undo, set-version",
    );
    expect(() => parse("rollout promot demo")).toThrow(
      "unknown subcommand 'rollout promot' (did you mean 'rollout promote'?)",
    );
    expect(() => parse("rollout delete demo")).toThrow(UsageError);
  });
});

describe("parseInvocation: ramp demo", () => {
  it("defaults: live, the full story, port 4320, the file's proxy port, ./.ramp, five minutes", () => {
    expect(parse("demo")).toEqual({
      command: "demo",
      options: {
        once: false,
        fast: false,
        port: 4320,
        proxyPort: undefined,
        data: ".ramp",
        timeoutSeconds: 300,
      },
    });
  });

  it("--once --fast, ports, data and time limit", () => {
    expect(parse("demo --once --fast --port 0 --proxy-port 0 --data /tmp/d --timeout 120")).toEqual({
      command: "demo",
      options: { once: true, fast: true, port: 0, proxyPort: 0, data: "/tmp/d", timeoutSeconds: 120 },
    });
    expect(parse("demo", { RAMP_DATA: "/var/ramp" })).toMatchObject({ options: { data: "/var/ramp" } });
  });

  it("rejects bad ports and time limits", () => {
    expect(() => parse("demo --port 70000")).toThrow(
      "--port must be 0–65535 (0: any free port); got '70000'",
    );
    expect(() => parse("demo --proxy-port x")).toThrow(/--proxy-port must be 0–65535/);
    expect(() => parse("demo --timeout 5")).toThrow(
      "--timeout must be a number of seconds, at least 10; got '5'",
    );
    expect(() => parse("demo now")).toThrow("unexpected argument 'now'");
  });
});
