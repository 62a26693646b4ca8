/** Reading the importers' fixtures and checking their output with the server's own loaders. */
import { readFileSync } from "node:fs";
import { expect } from "vitest";
import { parseAllDocuments, stringify } from "yaml";
import { loadAnalysisTemplate } from "../../analysis/template.js";
import { AVAILABLE_METRIC_PROVIDERS } from "../../plugins/metrics/factory.js";
import { parseRollouts } from "../load.js";
import type { ImportIssue, ImportResult } from "./report.js";

export const testdata = (name: string) => new URL(`./testdata/${name}`, import.meta.url);

export function fixtureText(name: string): string {
  return readFileSync(testdata(name), "utf8");
}

export function documentsOf(text: string): unknown[] {
  const docs = parseAllDocuments(text);
  return (Array.isArray(docs) ? docs : []).map((d) => d.toJS() as unknown);
}

export const fixture = (name: string) => documentsOf(fixtureText(name));

/** "unsupported Rollout x: spec.a.b" for every issue of the given kinds, in report order. */
export function paths(
  result: ImportResult,
  kinds: ImportIssue["kind"][] = ["unsupported", "error"],
): string[] {
  return result.issues.filter((i) => kinds.includes(i.kind)).map((i) => `${i.kind} ${i.object}: ${i.path}`);
}

/** The report line for a provider this build cannot run, when it cannot (other helpers add providers). */
export function unlessAvailable(provider: string, line: string): string[] {
  return AVAILABLE_METRIC_PROVIDERS.some((p) => p === provider) ? [] : [line];
}

/**
 * The documents as the CLI prints them (multi-document YAML), read back by the server's loaders:
 * every Rollout compiles without an error and every template loads. Returns the kinds and names.
 */
export function expectLoads(result: ImportResult): string[] {
  const text = result.documents.map((d) => stringify(d, { lineWidth: 0 })).join("---\n");
  const loaded = parseRollouts(text);
  expect(loaded.issues.filter((i) => i.severity === "error")).toEqual([]);
  expect(loaded.ok).toBe(true);
  for (const other of loaded.others) {
    const t = loadAnalysisTemplate(other.value);
    expect(t.ok ? [] : t.issues).toEqual([]);
  }
  return [
    ...loaded.rollouts.map((r) => ({ document: r.document, name: `Rollout ${r.rollout.name}` })),
    ...loaded.others.map((o) => ({
      document: o.document,
      name: `${o.kind} ${(o.value as { metadata: { name: string } }).metadata.name}`,
    })),
  ]
    .sort((a, b) => a.document - b.document)
    .map((d) => d.name);
}
