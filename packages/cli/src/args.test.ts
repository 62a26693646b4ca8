import { describe, expect, it } from "vitest";
import { parseInvocation } from "./args.js";
import { UsageError } from "./output.js";
import { percentage } from "./remote-args.js";

const none = {};
const parse = (line: string, env: Record<string, string> = none) =>
  parseInvocation(line.split(" ").filter(Boolean), env);

describe("parseInvocation: remote options", () => {
  it("defaults to the local server and no token", () => {
    expect(parse("flags list")).toEqual({
      command: "flags list",
      remote: { server: "http://127.0.0.1:4320" },
      options: { env: undefined, tag: undefined, archived: false, json: false },
    });
  });

  it("takes RAMP_SERVER and RAMP_TOKEN, and flags win over them", () => {
    const env = { RAMP_SERVER: "http://ramp:9000", RAMP_TOKEN: "ramp_admin_env" };
    expect(parse("token list", env)).toMatchObject({
      remote: { server: "http://ramp:9000", token: "ramp_admin_env" },
    });
    expect(parse("token list --server http://other:1 --token t2", env)).toMatchObject({
      remote: { server: "http://other:1", token: "t2" },
    });
  });

  it("treats an empty RAMP_TOKEN as no token", () => {
    expect(parse("token list", { RAMP_TOKEN: "" })).toEqual({
      command: "token list",
      remote: { server: "http://127.0.0.1:4320" },
      options: { json: false },
    });
  });

  it("rejects a server that is not an http URL", () => {
    expect(() => parse("flags list --server localhost:4320")).toThrow(/http:\/\/ or https:\/\//);
    expect(() => parse("flags list --server nope")).toThrow(UsageError);
  });

  it("checks -o against what each command can print", () => {
    expect(parse("flags get k -o yaml")).toMatchObject({ options: { key: "k", format: "yaml" } });
    expect(parse("export -o json")).toMatchObject({ options: { format: "json" } });
    expect(parse("export")).toMatchObject({ options: { format: "yaml" } });
    expect(() => parse("flags list -o yaml")).toThrow("-o must be one of text, json; got 'yaml'");
    expect(() => parse("export -o table")).toThrow(/yaml, json/);
  });
});

describe("parseInvocation: commands", () => {
  it("apply", () => {
    expect(parse("apply -f flags.yaml --dry-run")).toMatchObject({
      command: "apply",
      options: { file: "flags.yaml", dryRun: true, json: false },
    });
    expect(parse("apply --file - -o json")).toMatchObject({
      options: { file: "-", dryRun: false, json: true },
    });
    expect(() => parse("apply")).toThrow("ramp apply needs -f FILE");
    expect(() => parse("apply flags.yaml")).toThrow("unexpected argument 'flags.yaml'");
  });

  it("export with an environment", () => {
    expect(parse("export --env staging")).toMatchObject({
      command: "export",
      options: { env: "staging", format: "yaml" },
    });
  });

  it("flags on/off need a key and an environment", () => {
    expect(parse("flags on new_checkout --env production")).toMatchObject({
      command: "flags switch",
      options: { key: "new_checkout", env: "production", on: true },
    });
    expect(parse("flags off new_checkout -e staging")).toMatchObject({
      options: { on: false, env: "staging" },
    });
    expect(() => parse("flags on new_checkout")).toThrow("ramp flags on needs --env ENV");
    expect(() => parse("flags off --env production")).toThrow("ramp flags off needs a flag KEY");
    expect(() => parse("flags on a b --env p")).toThrow("unexpected argument 'b'");
    expect(() => parse("flags on a --env p --tag x")).toThrow("ramp flags on does not take --tag");
  });

  it("flags rollout reads the percentage and an optional variant", () => {
    expect(parse("flags rollout k 25 --env production --variant on")).toMatchObject({
      command: "flags rollout",
      options: { key: "k", env: "production", percentage: 25, variant: "on" },
    });
    expect(parse("flags rollout k 12.5% --env p")).toMatchObject({
      options: { percentage: 12.5, variant: undefined },
    });
    expect(() => parse("flags rollout k --env p")).toThrow("ramp flags rollout needs KEY PERCENT");
    expect(() => parse("flags rollout k 101 --env p")).toThrow(
      "PERCENT must be a number from 0 to 100; got '101'",
    );
  });

  it("flags list, get, archive, unarchive", () => {
    expect(parse("flags list --env production --tag checkout --archived -o json")).toMatchObject({
      options: { env: "production", tag: "checkout", archived: true, json: true },
    });
    expect(parse("flags get k")).toMatchObject({
      command: "flags get",
      options: { key: "k", format: "text" },
    });
    expect(parse("flags archive k")).toMatchObject({
      command: "flags archive",
      options: { key: "k", archive: true },
    });
    expect(parse("flags unarchive k")).toMatchObject({
      command: "flags archive",
      options: { key: "k", archive: false },
    });
    expect(() => parse("flags")).toThrow(/needs a subcommand/);
    expect(() => parse("flags delete k")).toThrow("unknown subcommand 'flags delete'");
  });

  it("token create checks the scope and the environment binding", () => {
    expect(parse("token create --scope client --env production --name web -o json")).toMatchObject({
      command: "token create",
      options: { scope: "client", env: "production", name: "web", json: true },
    });
    expect(parse("token create --scope admin")).toMatchObject({
      options: { scope: "admin", env: undefined },
    });
    expect(() => parse("token create")).toThrow("ramp token create needs --scope admin|read|server|client");
    expect(() => parse("token create --scope root")).toThrow(
      "--scope must be one of admin, read, server, client; got 'root'",
    );
    expect(() => parse("token create --scope server")).toThrow(
      "a server token is bound to one environment: give --env ENV",
    );
    expect(() => parse("token create --scope admin --env production")).toThrow(/drop --env/);
    expect(() => parse("token create --scope read --env production")).toThrow(
      "a read token reaches every environment: drop --env",
    );
    expect(parse("token create --scope read")).toMatchObject({
      command: "token create",
      options: { scope: "read", env: undefined },
    });
    expect(() => parse("token list --scope admin")).toThrow(
      "ramp token list takes no --scope, --env or --name",
    );
  });

  it("token revoke needs an id", () => {
    expect(parse("token revoke abc")).toMatchObject({ command: "token revoke", options: { id: "abc" } });
    expect(() => parse("token revoke")).toThrow(/needs a token ID/);
  });

  it("audit and audit verify", () => {
    expect(parse("audit --kind flag --key k --limit 20 -o json")).toMatchObject({
      command: "audit list",
      options: { kind: "flag", key: "k", limit: 20, json: true },
    });
    expect(parse("audit verify")).toMatchObject({ command: "audit verify", options: { json: false } });
    expect(() => parse("audit --limit 0")).toThrow("--limit must be a positive integer; got '0'");
    expect(() => parse("audit verify --kind flag")).toThrow(/takes no filters/);
    expect(() => parse("audit check")).toThrow(/did you mean 'audit verify'/);
  });

  it("server: port, host, data, database and RAMP_ADMIN_TOKEN", () => {
    expect(
      parse("server --port 0 --host 127.0.0.1 --data /tmp/r --database /tmp/r/x.db", {
        RAMP_ADMIN_TOKEN: "s3cret",
      }),
    ).toEqual({
      command: "server",
      options: { port: 0, host: "127.0.0.1", data: "/tmp/r", database: "/tmp/r/x.db", adminToken: "s3cret" },
    });
    expect(parse("server")).toEqual({
      command: "server",
      options: { port: undefined, host: undefined, data: undefined, database: undefined },
    });
    expect(() => parse("server --port 70000")).toThrow(/--port must be 0–65535/);
    expect(() => parse("server --port http")).toThrow(/--port/);
  });

  it("keeps the file commands as they were", () => {
    expect(parse("lint a.yaml b.yaml -o json")).toEqual({
      command: "lint",
      options: { files: ["a.yaml", "b.yaml"], json: true },
    });
    expect(parse("eval --flags f.yaml --flag k")).toMatchObject({
      command: "eval",
      options: { flags: "f.yaml", flag: "k" },
    });
    expect(parse("import --from flagd x.json")).toMatchObject({
      command: "import",
      options: { from: "flagd", file: "x.json" },
    });
  });

  it("help, anywhere before --", () => {
    expect(parse("")).toEqual({ command: "help" });
    expect(parse("flags on --help")).toEqual({ command: "help" });
    expect(() => parse("deploy")).toThrow("unknown command 'deploy'");
  });

  it("lets parseArgs reject unknown options", () => {
    expect(() => parse("flags list --colour")).toThrow(
      expect.objectContaining({ code: "ERR_PARSE_ARGS_UNKNOWN_OPTION" }),
    );
  });
});

describe("percentage", () => {
  it.each([
    ["0", 0],
    ["100", 100],
    ["33.33", 33.33],
    ["5%", 5],
  ])("%s → %d", (text, n) => expect(percentage(text)).toBe(n));

  it.each(["-1", "100.01", "abc", "", "1e2", "50%%"])("rejects '%s'", (text) => {
    expect(() => percentage(text)).toThrow(UsageError);
  });
});
