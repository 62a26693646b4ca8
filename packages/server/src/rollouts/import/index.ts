/** Importers of Argo Rollouts and Flagger manifests: pure functions from parsed documents to Ramp's. */
export { importArgo } from "./argo.js";
export { importFlagger } from "./flagger.js";
export { checkImportOptions } from "./options.js";
export {
  formatImportIssue,
  type ImportIssue,
  type ImportIssueKind,
  type ImportResult,
  importFailed,
} from "./report.js";
export { DEFAULT_LISTEN, type ImportOptions } from "./workload.js";
