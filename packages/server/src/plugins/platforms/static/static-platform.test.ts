import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, afterEach, describe, expect, it } from "vitest";
import { describePlatformContract, expectPlatformError } from "../platform.shared-test.js";
import { StaticPlatform } from "./static-platform.js";

const servers: Server[] = [];
afterAll(async () => {
  await Promise.all(servers.map((s) => new Promise((resolve) => s.close(resolve))));
});

/** A server you "run yourself": /healthz answers `health` (a status, or a function of the probe count). */
async function serve(health: number | ((probes: number) => number) = 200): Promise<string> {
  let probes = 0;
  const server = createServer((req, res) => {
    if (req.url === "/healthz") {
      probes++;
      res.writeHead(typeof health === "number" ? health : health(probes)).end();
    } else res.writeHead(200).end("hello");
  });
  servers.push(server);
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

describePlatformContract("static", {
  create: () => new StaticPlatform(),
  request: async (service, version, replicas) => ({
    service,
    version,
    replicas,
    urls: await Promise.all(Array.from({ length: replicas }, () => serve())),
    readiness: { intervalMs: 20, timeoutMs: 5000 },
  }),
  unready: async (service, version) => ({
    service,
    version,
    replicas: 1,
    urls: [await serve(503)],
    readiness: { intervalMs: 20, timeoutMs: 300 },
  }),
  scales: { skip: "the static platform runs nothing itself, so scale() is UNSUPPORTED (tested below)" },
});

describe("static platform", () => {
  const platform = new StaticPlatform({ probeTimeoutMs: 500 });
  afterEach(async () => {
    for (const version of ["v1", "v2"]) await platform.teardown("shop", version);
  });
  afterAll(() => platform.close());

  it("waits for successThreshold consecutive good probes of every URL", async () => {
    // Healthy only from the third probe on.
    const url = await serve((probes) => (probes >= 3 ? 200 : 503));
    const deployment = await platform.deploy({
      service: "shop",
      version: "v1",
      replicas: 1,
      urls: [url],
      readiness: { intervalMs: 20, successThreshold: 2 },
    });
    expect(deployment).toEqual({ service: "shop", version: "v1", targets: [url], ready: true });
  });

  it("status probes the URLs now: a URL that stopped answering is not ready", async () => {
    const up = await serve();
    const server = servers.at(-1);
    await platform.deploy({
      service: "shop",
      version: "v1",
      replicas: 1,
      urls: [up],
      readiness: { intervalMs: 20 },
    });
    expect((await platform.status("shop", "v1")).replicas[0]?.ready).toBe(true);
    await new Promise((resolve) => server?.close(resolve));
    expect((await platform.status("shop", "v1")).replicas[0]).toEqual({
      replica: 0,
      url: up,
      ready: false,
      restarts: 0,
    });
  });

  it("a readiness timeout names the failing URL and its answer", async () => {
    const bad = await serve(500);
    const error = await expectPlatformError(
      platform.deploy({
        service: "shop",
        version: "v1",
        replicas: 1,
        urls: [await serve(), bad],
        readiness: { intervalMs: 20, timeoutMs: 200 },
      }),
      "READINESS_TIMEOUT",
    );
    expect(error.message).toContain(`${bad}: GET /healthz: HTTP 500`);
  });

  it("probes under a URL's path, and honours readiness.path", async () => {
    const base = await serve();
    const deployment = await platform.deploy({
      service: "shop",
      version: "v1",
      replicas: 1,
      urls: [`${base}/`],
      readiness: { path: "/healthz", intervalMs: 20 },
    });
    expect(deployment.ready).toBe(true);
  });

  it("refuses to scale, and refuses requests without URLs or with a command", async () => {
    await expectPlatformError(platform.scale("shop", "v1", 2), "UNSUPPORTED");
    const noUrls = await expectPlatformError(
      platform.deploy({ service: "shop", version: "v1", replicas: 1 }),
      "INVALID_REQUEST",
    );
    expect(noUrls.message).toContain("'urls'");
    const notHttp = await expectPlatformError(
      platform.deploy({ service: "shop", version: "v1", replicas: 1, urls: ["ftp://example.com"] }),
      "INVALID_REQUEST",
    );
    expect(notHttp.message).toContain("urls[0]");
    const command = await expectPlatformError(
      platform.deploy({
        service: "shop",
        version: "v1",
        replicas: 1,
        urls: [await serve()],
        command: "node x",
      }),
      "INVALID_REQUEST",
    );
    expect(command.message).toContain("'command'");
  });

  it("refuses to redeploy a version at other URLs", async () => {
    await platform.deploy({ service: "shop", version: "v2", replicas: 1, urls: [await serve()] });
    await expectPlatformError(
      platform.deploy({ service: "shop", version: "v2", replicas: 1, urls: [await serve()] }),
      "SPEC_CONFLICT",
    );
  });
});
