/**
 * One model's cell: its live preview while it runs, then its image, labelled with the model's
 * name and family, its time per image and its own score of the prompt. A finished cell opens
 * its item in the Library, recipe and all.
 */
import { memo } from 'react';
import { progressOf } from '../../components/QueuePanel.tsx';
import { AssetImage, Callout, PreviewCanvas, ProgressBar } from '../../components/ui.tsx';
import { formatSeconds, formatSelfScore, unfinished, type CellView } from '../../lib/compare.ts';
import { openInLibrary } from '../../state/app.ts';
import { useAssets } from '../../state/assets.ts';
import type { Measure } from '../../state/compare.ts';
import { jobsStore, type LiveJob } from '../../state/jobs.ts';
import { useStore } from '../../state/store.ts';

function Picture({ cell, live }: { cell: CellView; live: LiveJob | undefined }) {
  const [asset] = useAssets(cell.itemId === null ? [] : [cell.itemId]);
  if (asset !== undefined && asset.sha256 !== '')
    return (
      <AssetImage
        sha256={asset.sha256}
        alt={`${cell.name}: ${asset.title}`}
        className="compare-image"
      />
    );
  if (live?.preview != null)
    return (
      <PreviewCanvas
        preview={live.preview}
        className="compare-image"
        label={`${cell.name}: live preview`}
      />
    );
  return <span className="compare-empty muted">{cell.status}…</span>;
}

function Figures({ measure }: { measure: Measure | undefined }) {
  const ready = measure !== undefined && typeof measure === 'object';
  const pending = measure === 'loading' ? 'measuring…' : '—';
  return (
    <dl className="compare-figures">
      <dt>Time</dt>
      <dd data-testid="compare-time">{ready ? formatSeconds(measure.seconds) : pending}</dd>
      <dt title="The model's own log-probability of the prompt given its image, per prompt token: higher means it reads its image as closer to the prompt">
        Self-score
      </dt>
      <dd data-testid="compare-score">
        {ready ? formatSelfScore(measure.logProbPerToken) : pending}
      </dd>
    </dl>
  );
}

function Progress({ cell }: { cell: CellView }) {
  const job = useStore(jobsStore, (s) => s.jobs.find((j) => j.id === cell.run.jobId));
  const live = useStore(jobsStore, (s) => s.live[cell.run.jobId]);
  if (job === undefined || !unfinished(cell)) return null;
  const p = progressOf(job, live);
  return <ProgressBar value={p.value} label={`${cell.name}: progress`} compact />;
}

export const CompareCell = memo(function CompareCell({
  cell,
  live,
  measure,
}: {
  cell: CellView;
  live: LiveJob | undefined;
  measure: Measure | undefined;
}) {
  const itemId = cell.itemId;
  return (
    <li
      className={`compare-cell state-${cell.state}`}
      data-testid={`compare-cell-${cell.run.modelId}`}
      data-state={cell.state}
      data-item={itemId ?? undefined}
    >
      <button
        type="button"
        className="compare-open"
        disabled={itemId === null}
        onClick={() => {
          if (itemId !== null) openInLibrary(itemId);
        }}
        aria-label={
          itemId === null
            ? `${cell.name}: ${cell.status}`
            : `${cell.name}: open its image in the Library with its recipe`
        }
        data-testid="compare-open"
      >
        <Picture cell={cell} live={live} />
      </button>
      <div className="compare-label">
        <strong className="ellipsis" title={cell.run.modelId} data-testid="compare-model">
          {cell.name}
        </strong>
        <span className="badge" data-testid="compare-family">
          {cell.run.family}
        </span>
      </div>
      <Progress cell={cell} />
      {cell.state === 'done' ? (
        <Figures measure={measure} />
      ) : (
        <div className="muted compare-status">{cell.status}</div>
      )}
      {cell.error !== null ? <Callout tone="error">{cell.error}</Callout> : null}
    </li>
  );
});
