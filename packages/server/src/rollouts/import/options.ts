/**
 * The importers' addresses checked before any file is read, by the server's own loader: a probe
 * blue-green Rollout carrying them is compiled, so `--listen` and `--preview-listen` obey exactly
 * the rules a rollout's `trafficRouting.proxy` does (the host:port pattern, two distinct addresses).
 */
import { compileRollout } from "../compile.js";
import { RAMP_API_VERSION } from "./argo-rollout.js";
import { DEFAULT_LISTEN, type ImportOptions } from "./workload.js";

const PROXY = "spec.strategy.blueGreen.trafficRouting.proxy";

/** The option each address of the probe's proxy came from. */
const OPTION_OF: Readonly<Record<string, string>> = {
  [`${PROXY}.listen`]: "--listen",
  [`${PROXY}.previewListen`]: "--preview-listen",
};

/**
 * One message per bad address option, naming the option ("--preview-listen: …"); empty when both
 * would load. Without `listen` the preview is compared with DEFAULT_LISTEN, where the proxy will be.
 *
 * @example checkImportOptions({ previewListen: "127.0.0.1:8080" }) // ["--preview-listen: is the same address as listen (127.0.0.1:8080, the default of --listen); …"]
 */
export function checkImportOptions(options: ImportOptions): string[] {
  if (options.listen === undefined && options.previewListen === undefined) return [];
  const proxy = {
    listen: options.listen ?? DEFAULT_LISTEN,
    ...(options.previewListen !== undefined && { previewListen: options.previewListen }),
  };
  const probe = {
    apiVersion: RAMP_API_VERSION,
    kind: "Rollout",
    metadata: { name: "import-options" },
    spec: {
      version: "v1",
      strategy: { blueGreen: { activeService: "active", trafficRouting: { proxy } } },
      workload: { platform: "static", urls: { stable: "http://stable", canary: "http://canary" } },
    },
  };
  return compileRollout(probe).issues.flatMap((issue) => {
    const option = OPTION_OF[issue.path];
    if (option === undefined || issue.severity !== "error") return [];
    const hint = issue.suggestion ?? issue.expected;
    // A preview on the default address: say where the listen it collides with came from.
    const message =
      options.listen === undefined
        ? issue.message.replace(`(${DEFAULT_LISTEN})`, `(${DEFAULT_LISTEN}, the default of --listen)`)
        : issue.message;
    return [`${option}: ${message}${hint === undefined || message.includes(hint) ? "" : `; ${hint}`}`];
  });
}
