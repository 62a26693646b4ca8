/** `ramp export [--env ENV] [-o yaml|json]` — the project's flag file on stdout, ready for `ramp apply`. */
import { parse, stringify } from "yaml";
import { out } from "../output.js";
import type { ApiClient } from "../remote/client.js";

export interface ExportOptions {
  readonly env?: string | undefined;
  readonly format: "yaml" | "json";
}

export async function exportCommand(o: ExportOptions, client: ApiClient): Promise<void> {
  const yaml = o.format === "yaml";
  const res = await client.text("GET", "/api/v1/export", {
    query: { env: o.env },
    accept: yaml ? "application/yaml" : "application/json",
  });
  // The server honours Accept; convert anyway if it answered in the other format.
  const isJson = res.contentType.includes("json");
  if (yaml) out(isJson ? stringify(JSON.parse(res.body), { lineWidth: 0 }) : res.body);
  else out(JSON.stringify(isJson ? JSON.parse(res.body) : parse(res.body), null, 2));
}
