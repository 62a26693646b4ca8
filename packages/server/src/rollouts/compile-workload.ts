/** The meaning checks of `spec.workload`, Ramp's own section: how a version runs off Kubernetes. */
import { type IssueSink, joinPath } from "./issues.js";
import type { Workload, WorkloadVersion } from "./rollout.js";
import type { WorkloadDocument } from "./spec.js";

const ENV_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;

export function compileWorkload(doc: WorkloadDocument, path: string, sink: IssueSink): Workload {
  checkEnv(doc.env, joinPath(path, "env"), sink);
  const versions: Record<string, WorkloadVersion> = {};
  for (const [version, settings] of Object.entries(doc.versions ?? {})) {
    const at = joinPath(joinPath(path, "versions"), version);
    checkEnv(settings.env, joinPath(at, "env"), sink);
    versions[version] = { env: settings.env ?? {}, urls: urlList(settings.urls, joinPath(at, "urls"), sink) };
  }
  const urls =
    doc.urls === undefined
      ? null
      : {
          stable: urlList(doc.urls.stable, joinPath(joinPath(path, "urls"), "stable"), sink),
          canary: urlList(doc.urls.canary, joinPath(joinPath(path, "urls"), "canary"), sink),
        };
  if (doc.platform === "process") {
    if (doc.command === undefined) {
      sink.error(joinPath(path, "command"), "the process platform needs a command to run each replica", {
        expected: 'an argv list, e.g. ["node", "server.mjs"]',
      });
    }
    if (doc.urls !== undefined)
      sink.warn(joinPath(path, "urls"), "is for the static platform; the process platform ignores it");
  } else {
    const perVersion = Object.values(versions).some((v) => v.urls.length > 0);
    const perRole = urls !== null && urls.stable.length > 0 && urls.canary.length > 0;
    if (!perVersion && !perRole) {
      sink.error(path, "the static platform needs the URLs you run", {
        expected: "urls: { stable, canary } or versions.<version>.urls",
      });
    }
    if (doc.command !== undefined)
      sink.warn(joinPath(path, "command"), "is for the process platform; the static platform ignores it");
  }
  return {
    platform: doc.platform,
    command: doc.command ?? null,
    env: doc.env ?? {},
    cwd: doc.cwd ?? null,
    readiness: { ...doc.readiness },
    versions,
    urls,
  };
}

function checkEnv(env: Readonly<Record<string, string>> | undefined, path: string, sink: IssueSink): void {
  for (const name of Object.keys(env ?? {})) {
    if (!ENV_NAME.test(name)) {
      sink.error(joinPath(path, name), `'${name}' is not an environment variable name`, {
        expected: "letters, digits and '_', not starting with a digit",
      });
    }
    if (name === "PORT")
      sink.warn(joinPath(path, name), "is set by the platform for each replica; this value is replaced");
  }
}

function urlList(value: string | readonly string[] | undefined, path: string, sink: IssueSink): string[] {
  const list = value === undefined ? [] : typeof value === "string" ? [value] : [...value];
  list.forEach((u, i) => {
    let ok = false;
    try {
      const url = new URL(u);
      ok = url.protocol === "http:" || url.protocol === "https:";
    } catch {
      ok = false;
    }
    if (!ok) sink.error(typeof value === "string" ? path : joinPath(path, i), `'${u}' is not an http(s) URL`);
  });
  return list;
}
