/**
 * The odds of one verdict of the success-rate metric: with `n` canary requests and a true error rate
 * `p`, the errors are Binomial(n, p), and the verdict fails when (n - errors) / n < threshold. Pure.
 */

/** P(X ≥ k) for X ~ Binomial(n, p). */
export function binomialAtLeast(n: number, k: number, p: number): number {
  if (k <= 0) return 1;
  if (k > n) return 0;
  if (p <= 0) return 0;
  if (p >= 1) return 1;
  // P(X < k) term by term: pmf(i + 1) = pmf(i) · (n − i) / (i + 1) · p / (1 − p).
  let pmf = (1 - p) ** n;
  let below = 0;
  for (let i = 0; i < k; i++) {
    below += pmf;
    pmf *= ((n - i) / (i + 1)) * (p / (1 - p));
  }
  return Math.max(0, 1 - below);
}

/** The fewest errors among `n` requests that make `successRate >= threshold` false. */
export function failingErrors(n: number, threshold: number): number {
  for (let errors = 0; errors <= n; errors++) if ((n - errors) / n < threshold) return errors;
  return n + 1;
}

export interface VerdictOdds {
  /** Requests the verdict is taken over. */
  readonly requests: number;
  /** It fails from this many errors on. */
  readonly failsAt: number;
  /** P(fail) for a canary with the bad error rate. */
  readonly caught: number;
  /** P(fail) for a canary with the healthy error rate. */
  readonly falseAlarm: number;
}

/** The odds of one verdict over `requests` canary requests. */
export function verdictOdds(requests: number, threshold: number, bad: number, healthy: number): VerdictOdds {
  const failsAt = failingErrors(requests, threshold);
  return {
    requests,
    failsAt,
    caught: binomialAtLeast(requests, failsAt, bad),
    falseAlarm: binomialAtLeast(requests, failsAt, healthy),
  };
}

/**
 * P(some verdict fails) when verdicts are taken over the first `checkpoints[i]` requests (growing: the
 * window holds every request so far), for a true error rate `p`. Exact: the distribution of the error
 * count is carried request by request, dropping the paths that a verdict has already failed.
 */
export function analysisFailure(checkpoints: readonly number[], threshold: number, p: number): number {
  const last = Math.max(0, ...checkpoints);
  let dist = [1];
  for (let n = 1; n <= last; n++) {
    const next = new Array<number>(dist.length + 1).fill(0);
    for (let e = 0; e < dist.length; e++) {
      const mass = dist[e] ?? 0;
      next[e] = (next[e] ?? 0) + mass * (1 - p);
      next[e + 1] = (next[e + 1] ?? 0) + mass * p;
    }
    if (checkpoints.includes(n)) next.fill(0, failingErrors(n, threshold));
    dist = next;
  }
  return 1 - dist.reduce((a, b) => a + b, 0);
}
