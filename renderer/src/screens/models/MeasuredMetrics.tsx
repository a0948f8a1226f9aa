/**
 * A model card's "Measured" section: the manifest's metrics in words, grouped, each with what it
 * means and its scale; metrics no rule knows stay listed under their own keys.
 */
import { useState } from 'react';
import { describeMetrics } from '../../lib/model-metrics.ts';

export function MeasuredMetrics({ metrics }: { metrics: Record<string, unknown> }) {
  const [showAll, setShowAll] = useState(false);
  const { groups, unknown } = describeMetrics(metrics);
  if (groups.length === 0 && unknown.length === 0)
    return <div className="muted">The manifest carries no metrics.</div>;
  // The first three groups answer what users ask; the evaluation's bookkeeping waits behind a click.
  const shown = showAll ? groups : groups.filter((g) => g.name !== 'Evaluation');
  return (
    <div className="metric-groups" data-testid="metrics-table">
      {shown.map((g) => (
        <div key={g.name} className="metric-group" role="group" aria-label={g.name}>
          <h4 className="metric-group-name">{g.name}</h4>
          <dl className="metric-lines">
            {g.lines.map((l) => (
              <div key={l.key} className="metric-line" data-metric={l.key}>
                <dt>{l.label}</dt>
                <dd className="num">{l.value}</dd>
                <dd className="metric-explain muted">
                  {l.explain} <span className="metric-scale">Scale: {l.scale}.</span>
                </dd>
              </div>
            ))}
          </dl>
        </div>
      ))}
      {showAll && unknown.length > 0 ? (
        <div className="metric-group" role="group" aria-label="Other metrics">
          <h4 className="metric-group-name">Other metrics (as the manifest names them)</h4>
          <dl className="metric-lines">
            {unknown.map((r) => (
              <div key={r.key} className="metric-line">
                <dt className="mono">{r.key}</dt>
                <dd className="num">{r.value}</dd>
              </div>
            ))}
          </dl>
        </div>
      ) : null}
      {shown.length < groups.length || unknown.length > 0 || showAll ? (
        <button type="button" className="btn link small" onClick={() => setShowAll(!showAll)}>
          {showAll ? 'Show fewer' : 'Show how it was evaluated'}
        </button>
      ) : null}
    </div>
  );
}
