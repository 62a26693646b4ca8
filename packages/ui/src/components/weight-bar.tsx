/** The canary's share of traffic as a labelled bar. */
export function WeightBar({ weight }: { weight: number }) {
  return (
    <span className="weight" data-weight={weight}>
      <span className="weight-bar" aria-hidden="true">
        <span className="weight-fill" style={{ width: `${Math.max(0, Math.min(100, weight))}%` }} />
      </span>
      <span className="weight-text">{weight}%</span>
    </span>
  );
}
