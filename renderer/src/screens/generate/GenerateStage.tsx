/**
 * Generate's stage: the live preview of the job on stage (its result once finished), its
 * progress, ETA, notices and pause/cancel, and the images this session made.
 */
import type { JobView } from '../../../../app/common/contract.ts';
import { Icon } from '../../components/Icon.tsx';
import { progressOf } from '../../components/QueuePanel.tsx';
import {
  AssetImage,
  Callout,
  PreviewCanvas,
  ProgressBar,
  StatusBadge,
} from '../../components/ui.tsx';
import { unitLabel } from '../../lib/format.ts';
import { previewOf, stageOf } from '../../lib/generate.ts';
import { openInLibrary, sessionStore, type GenerateSession } from '../../state/app.ts';
import { jobAction, jobsStore, type LiveJob } from '../../state/jobs.ts';
import { useStore } from '../../state/store.ts';

function StageStatus({
  staged,
  live,
  moreWaiting,
}: {
  staged: JobView;
  live: LiveJob | undefined;
  moreWaiting: number;
}) {
  const progress = progressOf(staged, live);
  return (
    <div className="stage-status" aria-label="Current generation">
      <div className="stage-status-line">
        <StatusBadge status={staged.status} />
        <span className="ellipsis" title={staged.title}>
          {staged.title}
        </span>
      </div>
      <ProgressBar key={staged.id} value={progress.value} label="Generation progress" />
      <div className="muted stage-numbers" data-testid="generate-progress">
        {progress.total > 0
          ? `${progress.done} / ${progress.total} ${unitLabel(progress.unit, progress.total)}`
          : staged.status === 'running'
            ? 'Starting…'
            : 'Waiting in the queue…'}
        {progress.rate !== '' ? ` · ${progress.rate}` : ''}
        {progress.eta !== '' ? ` · ETA ${progress.eta}` : ''}
        {live?.provider ? ` · ${live.provider}` : ''}
        {moreWaiting > 0 ? ` · ${moreWaiting} more waiting` : ''}
      </div>
      {staged.error !== null ? <Callout tone="error">{staged.error.message}</Callout> : null}
      {(live?.notices ?? []).map((n) => (
        <div key={n} data-testid="generate-notice">
          <Callout tone="warn">{n}</Callout>
        </div>
      ))}
      {staged.status === 'running' || staged.status === 'queued' ? (
        <div className="row gap">
          <button
            type="button"
            className="btn small"
            onClick={() => void jobAction('pause', staged.id)}
          >
            <Icon name="pause" size={14} /> Pause
          </button>
          <button
            type="button"
            className="btn small"
            onClick={() => void jobAction('cancel', staged.id)}
          >
            <Icon name="x" size={14} /> Cancel
          </button>
        </div>
      ) : null}
    </div>
  );
}

function Results({ results }: { results: GenerateSession['results'] }) {
  return (
    <div className="results">
      <h2 className="section-label">Results{results.length > 0 ? ` (${results.length})` : ''}</h2>
      {results.length === 0 ? (
        <div className="muted">Finished images land here and in the Library.</div>
      ) : (
        <ul className="result-grid" data-testid="result-grid">
          {results.map((r) => (
            <li key={r.id}>
              <button
                type="button"
                className="result"
                onClick={() => openInLibrary(r.id)}
                aria-label={`Open ${r.title} in the library`}
                data-testid={`result-${r.id}`}
              >
                <AssetImage sha256={r.sha256} alt={r.title} />
              </button>
            </li>
          ))}
        </ul>
      )}
    </div>
  );
}

export function GenerateStage() {
  const session = useStore(sessionStore, (x) => x);
  const jobs = useStore(jobsStore, (x) => x.jobs);
  const live = useStore(jobsStore, (x) => x.live);
  const { staged, moreWaiting } = stageOf(session.jobIds, jobs);
  const stagedLive = staged === undefined ? undefined : live[staged.id];
  const stagedResult =
    staged?.status === 'completed' ? session.results.find((r) => r.jobId === staged.id) : undefined;
  const lastPreview = previewOf(staged?.id, session.jobIds, live);

  return (
    <section className="stage" aria-label="Preview and results">
      <div className="stage-preview">
        <div className="preview-frame">
          <PreviewCanvas
            preview={lastPreview}
            label={
              staged === undefined
                ? 'Live preview (nothing generated yet)'
                : `Live preview of ${staged.title}`
            }
            testId="preview-canvas"
            className="stage-canvas"
          />
          {stagedResult !== undefined ? (
            <AssetImage
              sha256={stagedResult.sha256}
              alt={`Result: ${stagedResult.title}`}
              className="stage-result"
            />
          ) : null}
          {lastPreview === null && stagedResult === undefined ? (
            <div className="preview-empty">
              <Icon name="generate" size={28} />
              <span>The live preview appears here</span>
            </div>
          ) : null}
        </div>
        {staged !== undefined ? (
          <StageStatus staged={staged} live={stagedLive} moreWaiting={moreWaiting} />
        ) : null}
      </div>
      <Results results={session.results} />
    </section>
  );
}
