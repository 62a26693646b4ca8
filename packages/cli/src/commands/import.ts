/**
 * `ramp import --from unleash|flagd|argo|flagger FILE` — another product's flags or rollouts in
 * Ramp's format on stdout; what could not be carried over on stderr.
 */
import { compileFlagSet, type FlagFile, type Issue } from "@ramp/engine";
import { importFlagd, importUnleash } from "@ramp/engine/import";
import type { ImportOptions as ImportRolloutOptions } from "@ramp/server/rollouts";
import { stringify } from "yaml";
import { loadFile } from "../load.js";
import { err, fail, out, UsageError } from "../output.js";

/** The Ramp-only parts of an imported rollout: the importers' own options, passed through. */
export type { ImportRolloutOptions };

export interface ImportOptions {
  readonly from: string;
  readonly file: string;
  readonly environment?: string | undefined;
  readonly allowUnsupported: boolean;
  readonly json: boolean;
  readonly rollout?: ImportRolloutOptions;
}

const flagImporters: Record<
  string,
  (doc: unknown, o: { environment?: string }) => { file: FlagFile; issues: Issue[] }
> = {
  unleash: importUnleash,
  flagd: importFlagd,
};

const SOURCES = [...Object.keys(flagImporters), "argo", "flagger"];

export async function importCommand(o: ImportOptions): Promise<void> {
  if (o.from === "argo" || o.from === "flagger") {
    // Loaded on use: the rollout model would cost every flag import its start-up time.
    const { importRollouts } = await import("./import-rollouts.js");
    return importRollouts(o, o.from);
  }
  const importer = flagImporters[o.from];
  if (importer === undefined)
    throw new UsageError(`--from must be one of ${SOURCES.join(", ")}; got '${o.from}'`);
  const doc = loadFile(o.file).value;
  const { file, issues } = importer(doc, o.environment !== undefined ? { environment: o.environment } : {});
  for (const i of issues) err(`${o.file}: ${i.severity}: ${i.path}: ${i.message}`);
  const problems = issues.filter((i) => i.severity === "error");
  if (problems.length > 0 && !o.allowUnsupported) {
    err(
      `${problems.length} construct(s) could not be imported faithfully; rerun with --allow-unsupported to import the rest`,
    );
    fail(1);
    return;
  }
  // What we print must load: check it with the engine before anyone applies it.
  const check = compileFlagSet(file);
  if (!check.ok) {
    for (const i of check.errors) err(`internal: imported file is invalid at ${i.path}: ${i.message}`);
    fail(2);
    return;
  }
  out(o.json ? JSON.stringify(file, null, 2) : stringify(file, { lineWidth: 0 }));
}
