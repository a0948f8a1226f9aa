/**
 * One queue row for a batch: its prompt, how far it got, a bar over its jobs, and the button that
 * opens its images; expanded, each job's own row (with its actions) below.
 */
import { useState, type ReactNode } from 'react';
import type { JobView } from '../../../app/common/contract.ts';
import { batchSummary } from '../lib/queue-groups.ts';
import { openInLibrary } from '../state/app.ts';
import { jobAction } from '../state/jobs.ts';
import { ProgressBar } from './ui.tsx';

export function QueueBatchRow({
  jobs,
  renderJob,
}: {
  jobs: JobView[];
  renderJob: (job: JobView) => ReactNode;
}) {
  const [open, setOpen] = useState(false);
  const first = jobs[0]!;
  const done = jobs.filter((j) => j.status === 'completed').length;
  const firstAsset = jobs.flatMap((j) => j.assetIds)[0];
  const listId = `batch-${first.id}`;
  const unfinished = jobs.filter((j) =>
    ['queued', 'running', 'paused', 'interrupted'].includes(j.status),
  );
  const cancelAll = () => {
    for (const j of unfinished) void jobAction('cancel', j.id);
  };
  return (
    <li className="job batch" data-testid="queue-batch">
      <div className="job-body">
        <div className="job-title ellipsis" title={first.title}>
          {first.title}
        </div>
        <div className="job-meta muted" data-testid="batch-summary">
          {batchSummary(jobs)}
        </div>
        {done < jobs.length ? (
          <ProgressBar
            value={(done / jobs.length) * 100}
            compact
            label={`Batch progress of ${first.title}`}
          />
        ) : null}
        <div className="job-actions">
          <button
            type="button"
            className="btn ghost small"
            aria-expanded={open}
            aria-controls={listId}
            onClick={() => setOpen(!open)}
            data-testid="batch-toggle"
          >
            {open ? 'Hide' : 'Show'} its {jobs.length} images
          </button>
          {unfinished.length > 0 ? (
            <button
              type="button"
              className="btn ghost small"
              onClick={cancelAll}
              data-testid="batch-cancel"
            >
              Cancel {unfinished.length} left
            </button>
          ) : null}
          {firstAsset !== undefined ? (
            <button
              type="button"
              className="btn ghost small"
              onClick={() => openInLibrary(firstAsset)}
              data-testid="batch-open"
            >
              Open
            </button>
          ) : null}
        </div>
        {open ? (
          <ul className="job-list batch-jobs" id={listId}>
            {jobs.map(renderJob)}
          </ul>
        ) : null}
      </div>
    </li>
  );
}
