/** Importers: other products' flag definitions as Ramp flag files, keeping every user's variant. */
export { type FlagdImportOptions, type ImportResult, importFlagd } from "./flagd.js";
export { importUnleash } from "./unleash.js";
