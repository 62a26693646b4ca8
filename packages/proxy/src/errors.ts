/** The one error the proxy's control API throws: a rejected configuration, with every problem and its path. */

/** One problem in a configuration: where (`canary.targets[1]`) and what is wrong. */
export interface ConfigIssue {
  readonly path: string;
  readonly message: string;
}

/**
 * Thrown by `createProxy` and `configure` when a configuration is invalid. The configuration in force
 * before the call stays in force.
 */
export class ProxyConfigError extends Error {
  readonly code = "INVALID_PROXY_CONFIG";
  readonly issues: readonly ConfigIssue[];

  constructor(issues: readonly ConfigIssue[]) {
    const lines = issues.map((i) => (i.path === "" ? i.message : `${i.path}: ${i.message}`));
    super(`invalid proxy config: ${lines.join("; ")}`);
    this.name = "ProxyConfigError";
    this.issues = issues;
  }
}
