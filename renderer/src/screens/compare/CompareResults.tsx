/** The comparison's cells side by side, filled in as each model's job runs and finishes. */
import { Empty } from '../../components/ui.tsx';
import { compareSummary } from '../../lib/compare.ts';
import { CompareCell } from './CompareCell.tsx';
import type { useCompare } from './useCompare.ts';

function Heading({ c }: { c: ReturnType<typeof useCompare> }) {
  const s = c.session!;
  const settings =
    s.shared === null
      ? "each model's own defaults"
      : `shared settings: CFG ${s.shared.cfgScale}, temperature ${s.shared.temperature}, top-k ${s.shared.topK}, top-p ${s.shared.topP}`;
  return (
    <div className="compare-head">
      <h2 className="compare-prompt" title={s.prompt}>
        “{s.prompt}”
      </h2>
      <div className="muted" data-testid="compare-summary" aria-live="polite">
        seed {s.seed} · {settings} · {compareSummary(c.cells)}
      </div>
    </div>
  );
}

export function CompareResults({ c }: { c: ReturnType<typeof useCompare> }) {
  if (c.session === null)
    return (
      <section className="stage compare-stage" aria-label="Comparison">
        <Empty title="Nothing compared yet">
          Write a prompt and press Compare: each model&apos;s image appears here as it finishes,
          with its time and its own score of the prompt (log p per token: higher is closer).
        </Empty>
      </section>
    );
  return (
    <section className="stage compare-stage" aria-label="Comparison">
      <Heading c={c} />
      <ul className="compare-grid" data-testid="compare-grid">
        {c.cells.map((cell) => (
          <CompareCell
            key={cell.run.jobId}
            cell={cell}
            live={c.live[cell.run.jobId]}
            measure={cell.itemId === null ? undefined : c.measures[cell.itemId]}
          />
        ))}
      </ul>
    </section>
  );
}
