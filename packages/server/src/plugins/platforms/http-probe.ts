/** One readiness probe: GET base URL + path, ready on a status in 200–399 (as Kubernetes judges). */
import { request as httpRequest } from "node:http";
import { request as httpsRequest } from "node:https";

export type ProbeResult = { readonly ok: true } | { readonly ok: false; readonly reason: string };

/** `probeUrl("http://127.0.0.1:4000/app/", "/healthz")` → `http://127.0.0.1:4000/app/healthz`. */
export function probeUrl(base: string, path: string): URL {
  const url = new URL(base);
  url.pathname = `${url.pathname.replace(/\/+$/, "")}${path}`;
  return url;
}

/** Never rejects: a failure is a result with the reason (status, error code or timeout). */
export function probe(base: string, path: string, timeoutMs: number): Promise<ProbeResult> {
  return new Promise((resolve) => {
    let url: URL;
    try {
      url = probeUrl(base, path);
    } catch {
      resolve({ ok: false, reason: `invalid URL ${JSON.stringify(base)}` });
      return;
    }
    const send = url.protocol === "https:" ? httpsRequest : httpRequest;
    // agent: false — no pooled sockets that outlive a replica or keep the event loop alive.
    const req = send(url, { method: "GET", agent: false, timeout: timeoutMs }, (res) => {
      res.resume();
      const status = res.statusCode ?? 0;
      resolve(status >= 200 && status < 400 ? { ok: true } : { ok: false, reason: `HTTP ${status}` });
    });
    req.on("timeout", () => req.destroy(new Error(`no answer within ${timeoutMs} ms`)));
    req.on("error", (error: NodeJS.ErrnoException) =>
      resolve({ ok: false, reason: error.code ?? error.message }),
    );
    req.end();
  });
}
