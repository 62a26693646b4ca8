import { describe, expect, it } from "vitest";
import { type ProxyConfig, validateProxyConfig } from "./config.js";

const valid: ProxyConfig = {
  service: "payment",
  stable: { version: "v1", targets: ["http://127.0.0.1:8081", "http://localhost:8082/"] },
  canary: { version: "v2", targets: ["http://127.0.0.1:9081"] },
  weight: 5,
};

function issues(input: unknown): { path: string; message: string }[] {
  const result = validateProxyConfig(input);
  if (result.ok) throw new Error("expected the config to be rejected");
  return [...result.issues];
}

describe("validateProxyConfig", () => {
  it("normalises a valid config: defaults, origins, lower-case header names", () => {
    const result = validateProxyConfig({
      ...valid,
      sticky: { header: "X-User-Id" },
      headerRoutes: [{ name: "testers", match: [{ header: "X-Canary", exact: "1" }] }],
    });
    expect(result.ok).toBe(true);
    if (!result.ok) return;
    expect(result.config).toEqual({
      service: "payment",
      stable: { version: "v1", targets: ["http://127.0.0.1:8081", "http://localhost:8082"] },
      canary: { version: "v2", targets: ["http://127.0.0.1:9081"] },
      weight: 5,
      sticky: { header: "x-user-id" },
      headerRoutes: [{ name: "testers", match: [{ header: "x-canary", exact: "1" }] }],
      mirror: null,
      timeoutMs: 30_000,
      retries: 1,
    });
    expect(Object.isFrozen(result.config.stable.targets)).toBe(true);
  });

  it("accepts a stable-only config", () => {
    expect(validateProxyConfig({ service: "s", stable: valid.stable, weight: 0, canary: null }).ok).toBe(
      true,
    );
  });

  it.each<[string, unknown, string, RegExp]>([
    ["a non-object", 42, "", /must be an object/],
    ["a missing service", { ...valid, service: undefined }, "service", /must be a string/],
    [
      "an empty version",
      { ...valid, canary: { version: "", targets: ["http://a:1"] } },
      "canary.version",
      /empty/,
    ],
    [
      "a target that is not a URL",
      { ...valid, canary: { version: "v2", targets: ["http://a:1", "nope"] } },
      "canary.targets[1]",
      /not a URL/,
    ],
    [
      "an https target",
      { ...valid, stable: { version: "v1", targets: ["https://a"] } },
      "stable.targets[0]",
      /only http/,
    ],
    [
      "a target with a path",
      { ...valid, stable: { version: "v1", targets: ["http://a/x"] } },
      "stable.targets[0]",
      /origin/,
    ],
    ["no targets", { ...valid, stable: { version: "v1", targets: [] } }, "stable.targets", /at least one/],
    ["a weight over 100", { ...valid, weight: 150 }, "weight", /from 0 to 100/],
    ["a weight finer than 0.1%", { ...valid, weight: 5.05 }, "weight", /multiple of 0.1/],
    ["a weight without a canary", { ...valid, canary: null }, "weight", /no canary/],
    ["a typo", { ...valid, wieght: 5 }, "wieght", /did you mean 'weight'/],
    [
      "a typo in a nested object",
      { ...valid, canary: { version: "v2", tagrets: [] } },
      "canary.tagrets",
      /did you mean 'targets'/,
    ],
    ["a sticky without header or cookie", { ...valid, sticky: { salt: "x" } }, "sticky", /header, cookie/],
    ["a bad header name", { ...valid, sticky: { header: "x user" } }, "sticky.header", /not a valid header/],
    [
      "a bad regex",
      { ...valid, headerRoutes: [{ name: "r", match: [{ header: "x", regex: "(unclosed" }] }] },
      "headerRoutes[0].match[0].regex",
      /invalid regular expression/,
    ],
    [
      "a backreference (not RE2)",
      { ...valid, headerRoutes: [{ name: "r", match: [{ header: "x", regex: "(a)\\1" }] }] },
      "headerRoutes[0].match[0].regex",
      /invalid regular expression/,
    ],
    [
      "two match kinds",
      { ...valid, headerRoutes: [{ name: "r", match: [{ header: "x", exact: "1", prefix: "1" }] }] },
      "headerRoutes[0].match[0]",
      /exactly one of exact, prefix and regex/,
    ],
    [
      "header and cookie in one match",
      { ...valid, headerRoutes: [{ name: "r", match: [{ header: "x", cookie: "y", exact: "1" }] }] },
      "headerRoutes[0].match[0]",
      /exactly one of header and cookie/,
    ],
    [
      "an empty match list",
      { ...valid, headerRoutes: [{ name: "r", match: [] }] },
      "headerRoutes[0].match",
      /at least one/,
    ],
    [
      "duplicate route names",
      {
        ...valid,
        headerRoutes: [
          { name: "r", match: [{ header: "x", exact: "1" }] },
          { name: "r", match: [{ header: "y", exact: "1" }] },
        ],
      },
      "headerRoutes[1].name",
      /duplicate/,
    ],
    [
      "header routes without a canary",
      {
        ...valid,
        canary: null,
        weight: 0,
        headerRoutes: [{ name: "r", match: [{ header: "x", exact: "1" }] }],
      },
      "headerRoutes",
      /canary/,
    ],
    [
      "a mirror without a canary",
      { ...valid, canary: null, weight: 0, mirror: { name: "m", percentage: 10 } },
      "mirror",
      /canary/,
    ],
    [
      "a mirror percentage out of range",
      { ...valid, mirror: { name: "m", percentage: -1 } },
      "mirror.percentage",
      /from 0 to 100/,
    ],
    ["a zero timeout", { ...valid, timeoutMs: 0 }, "timeoutMs", /integer from 1/],
    ["fractional retries", { ...valid, retries: 1.5 }, "retries", /integer from 0 to 10/],
  ])("rejects %s with its path", (_, input, path, message) => {
    const found = issues(input);
    expect(found.map((i) => i.path)).toContain(path);
    expect(found.find((i) => i.path === path)?.message).toMatch(message);
  });

  it("reports every problem at once", () => {
    const found = issues({ service: "", stable: { version: "v1", targets: ["ftp://x"] }, weight: 101 });
    expect(found.map((i) => i.path)).toEqual(["service", "stable.targets[0]", "weight"]);
  });
});
