/** `ramp import --from unleash|flagd FILE` — another product's flags in Ramp's format, on stdout. */
import { compileFlagSet, type FlagFile, type Issue } from "@ramp/engine";
import { importFlagd, importUnleash } from "@ramp/engine/import";
import { stringify } from "yaml";
import { loadFile } from "../load.js";
import { err, fail, out, UsageError } from "../output.js";

export interface ImportOptions {
  readonly from: string;
  readonly file: string;
  readonly environment?: string | undefined;
  readonly allowUnsupported: boolean;
  readonly json: boolean;
}

const importers: Record<
  string,
  (doc: unknown, o: { environment?: string }) => { file: FlagFile; issues: Issue[] }
> = {
  unleash: importUnleash,
  flagd: importFlagd,
};

export function importCommand(o: ImportOptions): void {
  const importer = importers[o.from];
  if (importer === undefined)
    throw new UsageError(`--from must be one of ${Object.keys(importers).join(", ")}; got '${o.from}'`);
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
