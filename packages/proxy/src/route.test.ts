import type { IncomingHttpHeaders } from "node:http";
import { murmur3 } from "@ramp/engine";
import { describe, expect, it } from "vitest";
import { seededRandom, withinBinomial } from "../test/backends.js";
import { type ProxyConfig, validateProxyConfig } from "./config.js";
import { compileRouter, type Router, STICKY_BUCKETS, stickyBucket } from "./route.js";

const base: ProxyConfig = {
  service: "payment",
  stable: { version: "v1", targets: ["http://127.0.0.1:1"] },
  canary: { version: "v2", targets: ["http://127.0.0.1:2"] },
  weight: 0,
};

function router(config: Partial<ProxyConfig>): Router {
  const result = validateProxyConfig({ ...base, ...config });
  if (!result.ok) throw new Error(JSON.stringify(result.issues));
  return compileRouter(result.config);
}

const never = (): number => {
  throw new Error("random must not be used here");
};

describe("sticky buckets", () => {
  it("are murmur3(`salt:value`) mod 1000, the hash family of flag bucketing", () => {
    for (const user of ["user-1", "ada@example.com", "Ünïcödé", ""]) {
      expect(stickyBucket("payment", user)).toBe(murmur3(`payment:${user}`) % STICKY_BUCKETS);
    }
  });

  it("put a user on the canary iff bucket < weight × 10, salted by the service by default", () => {
    const r = router({ weight: 12.3, sticky: { header: "x-user-id" } });
    for (let i = 0; i < 2000; i++) {
      const user = `user-${i}`;
      const expected = stickyBucket("payment", user) < 123 ? "canary" : "stable";
      expect(r.choose({ "x-user-id": user }, never)).toBe(expected);
    }
  });

  it("honour each weight within statistical tolerance", () => {
    const users = 20_000;
    for (const weight of [0, 0.1, 5, 50, 99.9, 100]) {
      const r = router({ weight, sticky: { header: "x-user-id", salt: "s1" } });
      let canary = 0;
      for (let i = 0; i < users; i++) if (r.choose({ "x-user-id": `u${i}` }, never) === "canary") canary++;
      expect(withinBinomial(canary, users, weight / 100), `weight ${weight}: ${canary}/${users}`).toBe(true);
    }
  });

  it("never move a user off the canary while the weight grows", () => {
    let onCanary = new Set<string>();
    for (const weight of [0.1, 1, 5, 25, 50, 75, 100]) {
      const r = router({ weight, sticky: { cookie: "uid" } });
      const now = new Set<string>();
      for (let i = 0; i < 5000; i++) {
        const user = `user-${i}`;
        if (r.choose({ cookie: `theme=dark; uid=${user}` }, never) === "canary") now.add(user);
      }
      for (const user of onCanary) expect(now.has(user), `${user} left the canary at ${weight}%`).toBe(true);
      onCanary = now;
    }
    expect(onCanary.size).toBe(5000);
  });

  it("read the header before the cookie, and fall back to random without either", () => {
    const r = router({ weight: 50, sticky: { header: "x-user-id", cookie: "uid" } });
    const user = (h: IncomingHttpHeaders) => r.choose(h, never);
    const a = user({ "x-user-id": "alice" });
    expect(user({ "x-user-id": "alice", cookie: "uid=bob" })).toBe(a);
    expect(user({ cookie: "uid=alice" })).toBe(a);
    expect(r.choose({}, () => 0.499)).toBe("canary");
    expect(r.choose({}, () => 0.5)).toBe("stable");
  });

  it("split requests without a sticky value by the injected random in 0.1% steps", () => {
    const r = router({ weight: 0.1 });
    expect(r.choose({}, () => 0.000999)).toBe("canary");
    expect(r.choose({}, () => 0.001)).toBe("stable");
    const random = seededRandom(7);
    const half = router({ weight: 50 });
    let canary = 0;
    for (let i = 0; i < 10_000; i++) if (half.choose({}, random) === "canary") canary++;
    expect(withinBinomial(canary, 10_000, 0.5)).toBe(true);
  });

  it("send nothing to a canary that is absent, and everything at weight 100", () => {
    expect(router({ canary: null, weight: 0 }).choose({}, never)).toBe("stable");
    expect(router({ weight: 100 }).choose({}, never)).toBe("canary");
    expect(router({ weight: 0 }).choose({}, never)).toBe("stable");
  });
});

describe("header routes", () => {
  const r = router({
    weight: 0,
    headerRoutes: [
      { name: "testers", match: [{ header: "X-Canary", exact: "always" }] },
      { name: "mobile", match: [{ header: "user-agent", prefix: "RampMobile/" }] },
      {
        name: "chrome-in-vn",
        match: [
          { header: "user-agent", regex: ".*Chrome/1[0-9]{2}.*" },
          { header: "x-country", exact: "VN" },
        ],
      },
      { name: "beta-cookie", match: [{ cookie: "beta", regex: "yes|true" }] },
    ],
  });
  const route = (headers: IncomingHttpHeaders) => r.choose(headers, never);

  it("send exactly the matching requests to the canary", () => {
    expect(route({ "x-canary": "always" })).toBe("canary");
    expect(route({ "x-canary": "Always" })).toBe("stable");
    expect(route({ "x-canary": "always-not" })).toBe("stable");
    expect(route({ "user-agent": "RampMobile/2.1 (iOS)" })).toBe("canary");
    expect(route({ "user-agent": "Mozilla RampMobile/2.1" })).toBe("stable");
    expect(route({ "user-agent": "Mozilla/5.0 Chrome/120.0", "x-country": "VN" })).toBe("canary");
    expect(route({ "user-agent": "Mozilla/5.0 Chrome/120.0", "x-country": "US" })).toBe("stable");
    expect(route({ "user-agent": "Mozilla/5.0 Chrome/99.0", "x-country": "VN" })).toBe("stable");
    expect(route({})).toBe("stable");
  });

  it("match regexes against the whole value", () => {
    expect(route({ cookie: "beta=yes" })).toBe("canary");
    expect(route({ cookie: "a=1; beta=true" })).toBe("canary");
    expect(route({ cookie: "beta=yess" })).toBe("stable");
    expect(route({ cookie: "notbeta=yes" })).toBe("stable");
  });

  it("run in linear time on patterns that backtrack catastrophically elsewhere", () => {
    const evil = router({ headerRoutes: [{ name: "evil", match: [{ header: "x-a", regex: "(a+)+b" }] }] });
    const started = performance.now();
    expect(evil.choose({ "x-a": `${"a".repeat(50_000)}!` }, never)).toBe("stable");
    expect(performance.now() - started).toBeLessThan(1000);
  });
});

describe("mirror decision", () => {
  it("applies the percentage in 0.1% steps, only to matching requests", () => {
    const r = router({ mirror: { name: "m", percentage: 30, match: [{ header: "x-mirror", exact: "1" }] } });
    expect(r.mirror({ "x-mirror": "1" }, () => 0.2999)).toBe(true);
    expect(r.mirror({ "x-mirror": "1" }, () => 0.3)).toBe(false);
    expect(r.mirror({}, () => 0)).toBe(false);
    expect(router({ mirror: { name: "all", percentage: 100 } }).mirror({}, never)).toBe(true);
    expect(router({ mirror: null }).mirror({}, never)).toBe(false);
  });
});
