import { mkdirSync, mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type Harness, startHarness } from "../../test/http-harness.js";
import { inside } from "./dashboard.js";

const INDEX = "<!doctype html><title>Ramp UI</title><script type=module src=/assets/x.js></script>";
let built: Harness;
let empty: Harness;
let dir: string;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), "ramp-ui-"));
  mkdirSync(join(dir, "assets"));
  writeFileSync(join(dir, "index.html"), INDEX);
  writeFileSync(join(dir, "assets", "x.js"), "console.log('x')");
  writeFileSync(join(dir, "assets", "x.css"), "body{}");
  writeFileSync(join(dir, "favicon.svg"), "<svg/>");
  // A secret beside the build: nothing under / may reach it by a relative path.
  writeFileSync(join(dir, "..", `${dir.split("/").at(-1)}-secret.txt`), "s3cr3t-payload");
  built = await startHarness({ app: { uiDir: dir } });
  empty = await startHarness({ app: { uiDir: mkdtempSync(join(tmpdir(), "ramp-ui-empty-")) } });
});
afterAll(async () => {
  await built?.close();
  await empty?.close();
});

const html = { accept: "text/html,application/xhtml+xml,*/*;q=0.8" };

describe("the dashboard's files", () => {
  it("serves index.html at / without a token, with security headers and no caching", async () => {
    const r = await built.app.inject({ method: "GET", url: "/" });
    expect(r.statusCode).toBe(200);
    expect(r.body).toBe(INDEX);
    expect(r.headers["content-type"]).toBe("text/html; charset=utf-8");
    expect(r.headers["cache-control"]).toBe("no-cache");
    expect(r.headers["x-frame-options"]).toBe("DENY");
    expect(String(r.headers["content-security-policy"])).toMatch(/frame-ancestors 'none'/);
    expect(String(r.headers["content-security-policy"])).toMatch(/script-src 'self'(;|$)/);
  });

  it("answers client-side routes that accept HTML with index.html, others with the JSON 404", async () => {
    for (const url of ["/flags/abc", "/rollouts/demo", "/audit?kind=flag"]) {
      const r = await built.app.inject({ method: "GET", url, headers: html });
      expect(r.statusCode, url).toBe(200);
      expect(r.body, url).toBe(INDEX);
    }
    const json = await built.app.inject({ method: "GET", url: "/flags/abc" });
    expect(json.statusCode).toBe(404);
    expect(json.json().error.code).toBe("not_found");
    const post = await built.app.inject({ method: "POST", url: "/flags/abc", headers: html });
    expect(post.statusCode).toBe(404);
  });

  it("serves hashed assets with a year of caching and the right content type", async () => {
    const js = await built.app.inject({ method: "GET", url: "/assets/x.js" });
    expect(js.statusCode).toBe(200);
    expect(js.body).toBe("console.log('x')");
    expect(js.headers["content-type"]).toBe("text/javascript; charset=utf-8");
    expect(js.headers["cache-control"]).toBe("public, max-age=31536000, immutable");
    const css = await built.app.inject({ method: "GET", url: "/assets/x.css" });
    expect(css.headers["content-type"]).toBe("text/css; charset=utf-8");
    const icon = await built.app.inject({ method: "GET", url: "/favicon.svg", headers: html });
    expect(icon.headers["content-type"]).toBe("image/svg+xml");
    expect(icon.body).toBe("<svg/>");
    const index = await built.app.inject({ method: "GET", url: "/index.html" });
    expect(index.body).toBe(INDEX);
    expect(index.headers["cache-control"]).toBe("no-cache");
    expect(index.headers["x-frame-options"]).toBe("DENY");
    const missing = await built.app.inject({ method: "GET", url: "/assets/nope.js", headers: html });
    expect(missing.statusCode).toBe(404);
    expect(missing.json().error.code).toBe("not_found");
  });

  it("keeps API paths as they were: JSON 404 before auth, 401 without a token, never index.html", async () => {
    for (const url of ["/api/v1/nope", "/ofrep/v1/nope", "/sdk/v1/nope", "/metrics/x", "/healthz/x"]) {
      const r = await built.app.inject({ method: "GET", url, headers: html });
      expect(r.statusCode, url).toBe(404);
      expect(r.json().error.code, url).toBe("not_found");
    }
    const flags = await built.app.inject({ method: "GET", url: "/api/v1/flags", headers: html });
    expect(flags.statusCode).toBe(401);
    const metrics = await built.app.inject({ method: "GET", url: "/metrics", headers: html });
    expect(metrics.statusCode).toBe(401);
  });

  it("refuses path traversal, plain and encoded", async () => {
    const secret = `${dir.split("/").at(-1)}-secret.txt`;
    for (const url of [
      "/assets/../../etc/passwd",
      "/assets/..%2f..%2fetc%2fpasswd",
      "/assets/%2e%2e/%2e%2e/etc/passwd",
      "/assets/%2e%2e%2f%2e%2e%2fetc%2fpasswd",
      "/assets/..%5c..%5cetc%5cpasswd",
      "/assets/%2fetc%2fpasswd",
      `/assets/..%2f..%2f${secret}`,
      `/..%2f${secret}`,
      "/%2e%2e%2fetc%2fpasswd",
      "/assets/x.js%00.png",
    ]) {
      const r = await built.app.inject({ method: "GET", url, headers: html });
      expect(r.body, url).not.toMatch(/root:|s3cr3t-payload/);
      // Either refused outright or answered with the app's own page, never the file.
      if (r.statusCode === 200) expect(r.body, url).toBe(INDEX);
      else expect(r.statusCode, url).toBe(404);
    }
    expect(inside("/srv/ui", "../etc/passwd")).toBeUndefined();
    expect(inside("/srv/ui", "a/../../x")).toBeUndefined();
    expect(inside("/srv/ui", "/etc/passwd")).toBeUndefined();
    expect(inside("/srv/ui", "a\\..\\x")).toBeUndefined();
    expect(inside("/srv/ui", "x.js")).toBe("/srv/ui/x.js");
  });

  it("answers / with a 'not built' page when the folder has no index.html", async () => {
    const r = await empty.app.inject({ method: "GET", url: "/" });
    expect(r.statusCode).toBe(200);
    expect(r.body).toMatch(/Dashboard not built: run <code>npm run build<\/code>/);
    expect(r.headers["x-frame-options"]).toBe("DENY");
    const route = await empty.app.inject({ method: "GET", url: "/flags/x", headers: html });
    expect(route.body).toMatch(/Dashboard not built/);
  });
});
