/**
 * The queue, always visible at the right: every job with its status, progress, ETA and latest
 * preview, and the actions InvokeAI users expect (docs/studio.md §Queue).
 */
import { memo } from 'react';
import type { JobView } from '../../../app/common/contract.ts';
import { PROGRESS_UNIT, type Family } from '../../../app/common/model-manifest.ts';
import { modelsStore } from '../state/models.ts';
import { unitLabel } from '../lib/format.ts';
import { jobProgress } from '../lib/progress.ts';
import { queueRows } from '../lib/queue-groups.ts';
import { openInLibrary } from '../state/app.ts';
import { isFinished, jobAction, jobsStore, pruneJobs, type LiveJob } from '../state/jobs.ts';
import { useAssets } from '../state/assets.ts';
import { isQueueCollapsed, queueLayoutStore, setQueueCollapsed } from '../state/queue-panel.ts';
import { useStore } from '../state/store.ts';
import { Icon, type IconName } from './Icon.tsx';
import { QueueBatchRow } from './QueueBatchRow.tsx';
import { AssetImage, PreviewCanvas, ProgressBar, StatusBadge } from './ui.tsx';

const KIND_ICON: Record<JobView['kind'], IconName> = {
  generate: 'generate',
  infill: 'infill',
  'caption-folder': 'caption',
};
const KIND_LABEL: Record<JobView['kind'], string> = {
  generate: 'Generate',
  infill: 'Infill',
  'caption-folder': 'Caption folder',
};

/** A finished job's unit, from its model's family once live events are gone. */
function storedUnit(job: JobView): string {
  if (job.kind === 'caption-folder') return 'file';
  const family = modelsStore.get().models.find((m) => m.id === job.modelId)?.family;
  return family !== undefined && family in PROGRESS_UNIT
    ? PROGRESS_UNIT[family as Family]
    : 'token';
}

export function progressOf(job: JobView, live: LiveJob | undefined) {
  return jobProgress(job, live?.progress ?? null, storedUnit(job));
}

function ActionButton({
  icon,
  label,
  testId,
  onClick,
}: {
  icon: IconName;
  label: string;
  testId: string;
  onClick: () => void;
}) {
  return (
    <button
      type="button"
      className="btn icon-only ghost small"
      aria-label={label}
      title={label}
      data-testid={testId}
      onClick={onClick}
    >
      <Icon name={icon} size={14} />
    </button>
  );
}

const JobRow = memo(function JobRow({ job, live }: { job: JobView; live: LiveJob | undefined }) {
  const { done, total, unit, value, eta, rate } = progressOf(job, live);
  const act = (a: Parameters<typeof jobAction>[0]) => () => void jobAction(a, job.id);
  const canCancel =
    job.status === 'queued' ||
    job.status === 'running' ||
    job.status === 'paused' ||
    job.status === 'interrupted';
  const canMove =
    job.status === 'queued' || job.status === 'paused' || job.status === 'interrupted';
  const firstAsset = job.assetIds[0];
  const [thumb] = useAssets(firstAsset === undefined ? [] : [firstAsset]);
  return (
    <li
      className={`job status-${job.status}`}
      data-testid={`job-${job.id}`}
      aria-label={`${KIND_LABEL[job.kind]}: ${job.title}`}
    >
      <div className="job-thumb">
        {thumb !== undefined && thumb.sha256 !== '' ? (
          <AssetImage sha256={thumb.sha256} alt="" />
        ) : live?.preview ? (
          <PreviewCanvas preview={live.preview} label={`Latest preview of ${job.title}`} />
        ) : (
          <Icon name={KIND_ICON[job.kind]} size={20} />
        )}
      </div>
      <div className="job-main">
        <div className="job-title" title={job.title}>
          {job.title}
        </div>
        <div className="job-meta">
          <StatusBadge status={job.status} />
          <span className="muted">
            {total > 0 ? `${done}/${total} ${unitLabel(unit, total)}` : KIND_LABEL[job.kind]}
          </span>
          {eta !== '' ? <span className="muted">ETA {eta}</span> : null}
          {rate !== '' ? <span className="muted hide-narrow">{rate}</span> : null}
        </div>
        {job.status === 'running' || job.status === 'paused' || job.status === 'interrupted' ? (
          <ProgressBar value={value} compact label={`Progress of ${job.title}`} />
        ) : null}
        {job.error !== null ? (
          <div className="job-error" role="note">
            {job.error.message}
          </div>
        ) : null}
        {job.status === 'interrupted' ? (
          <div className="job-note muted">
            Stopped when the app quit; it resumes from its checkpoint.
          </div>
        ) : null}
        <div className="job-actions">
          {job.status === 'running' || job.status === 'queued' ? (
            <ActionButton icon="pause" label="Pause" testId="job-pause" onClick={act('pause')} />
          ) : null}
          {job.status === 'paused' ? (
            <ActionButton icon="play" label="Resume" testId="job-resume" onClick={act('resume')} />
          ) : null}
          {job.status === 'failed' || job.status === 'cancelled' || job.status === 'interrupted' ? (
            <ActionButton icon="retry" label="Retry" testId="job-retry" onClick={act('retry')} />
          ) : null}
          {canMove ? (
            <>
              <ActionButton
                icon="front"
                label="Move to front"
                testId="job-front"
                onClick={act('front')}
              />
              <ActionButton
                icon="back"
                label="Move to back"
                testId="job-back"
                onClick={act('back')}
              />
            </>
          ) : null}
          {canCancel ? (
            <ActionButton icon="x" label="Cancel" testId="job-cancel" onClick={act('cancel')} />
          ) : null}
          {job.status === 'completed' && firstAsset !== undefined ? (
            <button
              type="button"
              className="btn ghost small"
              onClick={() => openInLibrary(firstAsset)}
              data-testid="job-open"
            >
              Open{job.assetIds.length > 1 ? ` (${job.assetIds.length})` : ''}
            </button>
          ) : null}
        </div>
      </div>
    </li>
  );
});

/** One row per job submitted alone, one (expandable) per batch. */
function JobRows({ jobs, live }: { jobs: JobView[]; live: Record<string, LiveJob | undefined> }) {
  const renderJob = (j: JobView) => <JobRow key={j.id} job={j} live={live[j.id]} />;
  return (
    <>
      {queueRows(jobs).map((row) =>
        row.jobs.length === 1 ? (
          renderJob(row.jobs[0]!)
        ) : (
          <QueueBatchRow key={row.key} jobs={row.jobs} renderJob={renderJob} />
        ),
      )}
    </>
  );
}

export function QueuePanel() {
  const jobs = useStore(jobsStore, (s) => s.jobs);
  const live = useStore(jobsStore, (s) => s.live);
  const loaded = useStore(jobsStore, (s) => s.loaded);
  const collapsed = useStore(queueLayoutStore, isQueueCollapsed);
  const active = jobs.filter((j) => !isFinished(j));
  const finished = jobs.filter(isFinished);
  if (collapsed) {
    const running = active.find((j) => j.status === 'running');
    const p = running === undefined ? null : progressOf(running, live[running.id]);
    return (
      <aside
        className="queue-panel collapsed"
        data-testid="queue-panel"
        aria-label={`Queue: ${active.length} active`}
      >
        <button
          type="button"
          className="btn icon-only ghost"
          onClick={() => setQueueCollapsed(false)}
          aria-label={`Show the queue (${active.length} active)`}
          title="Show the queue"
          data-testid="queue-expand"
        >
          <Icon name="chevronLeft" />
        </button>
        <Icon name="queue" />
        <span className={`rail-count ${active.length > 0 ? 'busy' : ''}`}>{active.length}</span>
        {running !== undefined && live[running.id]?.preview ? (
          <PreviewCanvas
            preview={live[running.id]!.preview}
            label={`Latest preview of ${running.title}`}
            className="rail-preview"
          />
        ) : null}
        {p !== null && p.value !== null ? (
          <span className="rail-percent">{Math.round(p.value)}%</span>
        ) : null}
      </aside>
    );
  }
  return (
    <aside className="queue-panel" data-testid="queue-panel" aria-labelledby="queue-heading">
      <header className="panel-head">
        <h2 id="queue-heading">
          <Icon name="queue" /> Queue
        </h2>
        <span className="muted count">{active.length} active</span>
        <button
          type="button"
          className="btn ghost small"
          onClick={() => void pruneJobs()}
          disabled={finished.length === 0}
          data-testid="queue-prune"
          title="Remove finished, failed and cancelled jobs from the list"
          aria-label="Prune finished jobs"
        >
          Prune
        </button>
        <button
          type="button"
          className="btn icon-only ghost small"
          onClick={() => setQueueCollapsed(true)}
          aria-label="Collapse the queue"
          title="Collapse the queue"
          data-testid="queue-collapse"
        >
          <Icon name="chevronRight" size={14} />
        </button>
      </header>
      <div className="queue-scroll">
        {!loaded ? <div className="muted pad">Reading the queue…</div> : null}
        {loaded && jobs.length === 0 ? (
          <div className="empty small">
            <strong>Nothing queued</strong>
            <div>Generations, infills and folder captioning show up here.</div>
          </div>
        ) : null}
        {active.length > 0 ? (
          <section aria-label="Active jobs">
            <h3 className="section-label">Active</h3>
            <ul className="job-list">
              <JobRows jobs={active} live={live} />
            </ul>
          </section>
        ) : null}
        {finished.length > 0 ? (
          <section aria-label="Finished jobs">
            <h3 className="section-label">Finished</h3>
            <ul className="job-list">
              <JobRows jobs={finished} live={live} />
            </ul>
          </section>
        ) : null}
      </div>
    </aside>
  );
}
