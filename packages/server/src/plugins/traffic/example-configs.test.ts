/** The nginx and HAProxy configurations in examples/ (and docs/routers.md) are accepted by the real programs. */
import { execFile } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, describe, expect, it } from "vitest";
import { HAPROXY, NGINX } from "./data-planes.shared-test.js";
import { ACCESS_LOG_FORMAT, nginxNames, renderNginxConfig } from "./nginx/render.js";

const example = (path: string) =>
  readFileSync(fileURLToPath(new URL(`../../../../../examples/${path}`, import.meta.url)), "utf8");
const dir = mkdtempSync(join(tmpdir(), "ramp-example-configs-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function run(file: string, args: string[]): Promise<{ code: number; output: string }> {
  return new Promise((resolve) =>
    execFile(file, args, (error, stdout, stderr) =>
      resolve({
        code: error === null ? 0 : typeof error.code === "number" ? error.code : 1,
        output: `${stdout}${stderr}`,
      }),
    ),
  );
}

async function nginxTest(included: string): Promise<{ code: number; output: string }> {
  const ramp = join(dir, "checkout.conf");
  writeFileSync(ramp, included);
  const conf = join(dir, "nginx.conf");
  writeFileSync(
    conf,
    example("nginx/nginx.conf")
      .replaceAll("/etc/nginx/ramp/checkout.conf", ramp)
      .replaceAll("/var/log/nginx/ramp-checkout.log", join(dir, "access.log"))
      .replace("listen 8080", "listen 127.0.0.1:8080"),
  );
  return run(NGINX, [
    "-t",
    "-p",
    `${dir}/`,
    "-c",
    conf,
    "-g",
    `pid ${dir}/nginx.pid; error_log ${dir}/error.log;`,
  ]);
}

describe("examples/nginx", () => {
  it("the placeholder file defines the access log format Ramp reads", () => {
    expect(example("nginx/ramp-initial.conf")).toContain(`log_format ramp_checkout '${ACCESS_LOG_FORMAT}';`);
  });

  it("nginx.conf with the placeholder file passes nginx -t", async () => {
    const r = await nginxTest(example("nginx/ramp-initial.conf"));
    expect(r.output).toMatch(/test is successful/);
  });

  it("nginx.conf with what Ramp writes (split and header routes) passes nginx -t", async () => {
    const { text } = renderNginxConfig(
      {
        stable: { version: "v1", targets: ["http://127.0.0.1:8081", "http://127.0.0.1:8082"] },
        canary: { version: "v2", targets: ["http://127.0.0.1:8083"] },
        weight: 12.5,
        headerRoutes: [
          { name: "t", match: [{ headerName: "x-canary", headerValue: { exact: "yes" } }] },
          {
            name: "u",
            match: [{ headerName: "x-user", headerValue: { regex: "(alice|bob)@example\\.com" } }],
          },
        ],
        mirrorRoutes: [],
      },
      nginxNames("checkout"),
      "checkout",
    );
    const r = await nginxTest(text);
    expect(r.output).toMatch(/test is successful/);
    // And a file without what nginx.conf uses (format, variables) is caught by the same check.
    expect((await nginxTest("upstream checkout { server 127.0.0.1:1; }\n")).output).toMatch(
      /unknown (log format "ramp_checkout"|"ramp_checkout_upstream" variable)/,
    );
  });
});

describe("examples/haproxy", () => {
  it("haproxy.cfg passes haproxy -c", async () => {
    const map = join(dir, "checkout-routes.map");
    writeFileSync(map, "");
    const cfg = join(dir, "haproxy.cfg");
    writeFileSync(
      cfg,
      example("haproxy/haproxy.cfg")
        .replaceAll("/run/haproxy/admin.sock", join(dir, "admin.sock"))
        .replaceAll("/etc/haproxy/checkout-routes.map", map),
    );
    const r = await run(HAPROXY, ["-c", "-f", cfg]);
    expect(r.output).toMatch(/Configuration file is valid/);
    expect(r.code).toBe(0);
  });
});
