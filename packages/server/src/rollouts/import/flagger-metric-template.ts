/**
 * Flagger MetricTemplate → an AnalysisTemplate whose one metric is named like the template. Its
 * Go-template variables become `{{args.…}}` (the Flagger-shape contract: Ramp passes target,
 * namespace, interval and each templateVariables entry); its thresholds stay in the Canary.
 */
import { ANALYSIS_API_VERSION } from "../../analysis/template.js";
import { keptMetadata, type Obj, obj, str } from "./documents.js";
import { isAvailableProvider, reportUnavailableProvider } from "./providers.js";
import type { DocumentReport } from "./report.js";
import { validateTemplate } from "./validate.js";

/** Flagger's query variables and the argument each becomes. `name` and `service` default to the target. */
const VARIABLES: Readonly<Record<string, string>> = {
  target: "target",
  namespace: "namespace",
  interval: "interval",
  name: "target",
  service: "target",
};
const PLACEHOLDER = /\{\{-?\s*([^}]*?)\s*-?\}\}/g;
const VARIABLE = /^variables\.([A-Za-z_][A-Za-z0-9_-]*)$/;

export function convertMetricTemplate(doc: Obj, report: DocumentReport): Obj | undefined {
  const name = str(obj(doc.metadata)?.name);
  if (name === undefined || name === "") {
    report.error("metadata.name", "required: canaries refer to a MetricTemplate by its name");
    return undefined;
  }
  const spec = obj(doc.spec) ?? {};
  const provider = obj(spec.provider) ?? {};
  const type = str(provider.type) ?? "prometheus";
  if (type !== "prometheus") {
    report.unsupported(
      "spec.provider.type",
      `Ramp cannot query ${type}; the template is not converted`,
      "rewrite the query for Prometheus, or write an AnalysisTemplate with a provider Ramp runs",
    );
    return undefined;
  }
  const query = str(spec.query);
  if (query === undefined || query.trim() === "") {
    report.error("spec.query", "required: the query whose result the canary's thresholdRange judges");
    return undefined;
  }
  const mapped = mapQuery(query, report);
  if (mapped === undefined) return undefined;
  const address = str(provider.address);
  const prometheus: Obj = address === undefined || address === "" ? {} : { address };
  prometheus.query = mapped.query;
  if (address === undefined || address === "")
    report.note(
      "spec.provider.address",
      "is not set: Flagger falls back to its --metrics-server",
      "set provider.prometheus.address in the converted template",
    );
  if (provider.insecureSkipVerify === true) prometheus.insecure = true;
  const headers = headerList(provider.headers);
  if (headers.length > 0) prometheus.headers = headers;
  if (provider.secretRef !== undefined)
    report.unsupported(
      "spec.provider.secretRef",
      "Ramp reads no Kubernetes Secrets; the credentials are not carried over",
      "put them in provider.prometheus.authentication or headers",
    );
  if (provider.region !== undefined)
    report.note("spec.provider.region", "is not used by Prometheus; dropped");
  if (!isAvailableProvider("prometheus")) reportUnavailableProvider("prometheus", "spec.provider", report);
  const converted: Obj = {
    apiVersion: ANALYSIS_API_VERSION,
    kind: "AnalysisTemplate",
    metadata: keptMetadata(doc.metadata, name),
    spec: {
      args: mapped.args.map((a) => ({ name: a })),
      metrics: [{ name, provider: { prometheus } }],
    },
  };
  return validateTemplate(converted, report) ? converted : undefined;
}

/** The query with Flagger's `{{ target }}`-style variables as `{{args.target}}`, and the args it uses. */
export function mapQuery(
  query: string,
  report: DocumentReport,
): { query: string; args: string[] } | undefined {
  const args: string[] = [];
  const unknown: string[] = [];
  const aliases = new Set<string>();
  const mappedQuery = query.replace(PLACEHOLDER, (whole, inner: string) => {
    const variable = VARIABLE.exec(inner)?.[1];
    const arg = variable ?? VARIABLES[inner];
    if (arg === undefined) {
      unknown.push(whole);
      return whole;
    }
    if (!args.includes(arg)) args.push(arg);
    if (inner === "name" || inner === "service") aliases.add(inner);
    return `{{args.${arg}}}`;
  });
  if (aliases.size > 0)
    report.note(
      "spec.query",
      `{{ ${[...aliases].join(" }}, {{ ")} }} read as {{args.target}}: a Ramp rollout is named like its target`,
    );
  if (unknown.length > 0) {
    report.unsupported(
      "spec.query",
      `${unknown.join(", ")}: Ramp passes only target, namespace, interval and templateVariables (name and service mean the target); the template is not converted`,
      "write the value into the query, or pass it with templateVariables and use {{ variables.NAME }}",
    );
    return undefined;
  }
  return { query: mappedQuery, args };
}

/** Flagger's http.Header map (name → values) as Argo's list of { key, value }. */
function headerList(value: unknown): { key: string; value: string }[] {
  const headers = obj(value) ?? {};
  return Object.entries(headers).flatMap(([key, v]) => {
    const values = Array.isArray(v) ? v : [v];
    return values.filter((x): x is string => typeof x === "string").map((x) => ({ key, value: x }));
  });
}
