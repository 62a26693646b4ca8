/**
 * A Canary's webhooks. Calls to flagger-loadtester that run `hey` become Ramp's built-in load
 * generator (`url: ramp:load-test`, the cmd kept); other loadtester calls need its pod and are
 * reported; every other webhook is carried over as written.
 */
import { list, type Obj, obj, str } from "./documents.js";
import { type DocumentReport, joinPath } from "./report.js";

export const RAMP_LOAD_TEST = "ramp:load-test";

export interface WebhookContext {
  /** The apex service (spec.service.name, default the target): Flagger's router splits it, and names
   * the canary's own service `<apex>-canary`. */
  readonly apex: string;
  readonly listen: string;
}

export function convertWebhooks(value: unknown, path: string, ctx: WebhookContext, report: DocumentReport) {
  return list(value).flatMap((w, i) => {
    const at = joinPath(path, i);
    const hook = obj(w);
    if (hook === undefined) return [w];
    const out: Obj = { ...hook };
    if (out.type === undefined) out.type = "rollout";
    for (const key of ["muteAlert", "disableTLS"] as const) {
      if (hook[key] === undefined) continue;
      delete out[key];
      if (hook[key] === true)
        report.unsupported(
          joinPath(at, key),
          key === "muteAlert"
            ? "Ramp sends no Flagger alerts to mute"
            : "Ramp calls webhooks over plain HTTP(S) as the URL says",
        );
    }
    if (!isLoadTester(str(hook.url))) return [out];
    const metadata = obj(hook.metadata) ?? {};
    const cmd = str(metadata.cmd);
    const type = str(metadata.type) ?? "cmd";
    if (cmd === undefined || type !== "cmd" || !/^\s*hey\s/.test(cmd)) {
      report.unsupported(
        joinPath(at, "url"),
        `calls flagger-loadtester${cmd === undefined ? "" : ` to run '${cmd}'`}, which runs only as a pod next to Flagger; the webhook is dropped`,
        "host the check yourself and point url at it, or measure it as an analysis metric",
      );
      return [];
    }
    const mapped = targetOf(cmd, ctx);
    out.url = RAMP_LOAD_TEST;
    out.metadata = { cmd: mapped.cmd };
    report.note(
      joinPath(at, "url"),
      `flagger-loadtester's hey becomes Ramp's built-in load generator (url: ${RAMP_LOAD_TEST}, same cmd)${mapped.note}`,
    );
    return [out];
  });
}

/** flagger-loadtester's service, however it is addressed (flagger-loadtester.test, loadtester.flagger.svc…). */
function isLoadTester(url: string | undefined): boolean {
  if (url === undefined) return false;
  try {
    return (new URL(url).hostname.split(".")[0] ?? "").includes("loadtester");
  } catch {
    return false;
  }
}

/**
 * The hey command with its Kubernetes target made local: the canary service is left out (Ramp's
 * load generator defaults to the canary's own URL); the apex service becomes Ramp's proxy.
 */
function targetOf(cmd: string, ctx: WebhookContext): { cmd: string; note: string } {
  const notes: string[] = [];
  // Quoted words stay whole and as written (-H 'Cookie: canary=always').
  const words = (cmd.match(/"[^"]*"|'[^']*'|\S+/g) ?? []).flatMap((word) => {
    let url: URL;
    try {
      url = new URL(word.replace(/^(["'])(.*)\1$/, "$2"));
    } catch {
      return [word];
    }
    const host = url.hostname.split(".")[0];
    if (host === `${ctx.apex}-canary`) {
      notes.push(`${word} left out: it targets the canary's own URL`);
      return [];
    }
    if (host === ctx.apex) {
      const local = `http://${ctx.listen}${url.pathname}${url.search}`;
      notes.push(`${word} → ${local}, Ramp's proxy`);
      return [local];
    }
    notes.push(`${word} kept: make sure it resolves where Ramp runs`);
    return [word];
  });
  return { cmd: words.join(" "), note: notes.length === 0 ? "" : `; ${notes.join("; ")}` };
}
