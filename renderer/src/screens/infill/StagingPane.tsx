/**
 * The infill result staged next to the original: the live preview, then the result with its
 * lineage; accept, discard (to the trash, with undo), open its lineage, or infill it again.
 */
import { useEffect, useState } from 'react';
import type { JobView, ResponseOf } from '../../../../app/common/contract.ts';
import { invoke } from '../../bridge/index.ts';
import { LineageList } from '../../components/detail/Lineage.tsx';
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
import { openInLibrary, reportError } from '../../state/app.ts';
import type { LiveJob } from '../../state/jobs.ts';

function ResultLineage({ id }: { id: number }) {
  const [lineage, setLineage] = useState<ResponseOf<'gallery:lineage'> | null>(null);
  useEffect(() => {
    invoke('gallery:lineage', { id })
      .then(setLineage)
      .catch((err: unknown) => reportError('Could not read the lineage', err));
  }, [id]);
  if (lineage === null) return null;
  return (
    <div className="staging-lineage">
      <h3 className="section-label">Lineage</h3>
      <LineageList selfId={id} lineage={lineage} onOpen={(x) => openInLibrary(x)} />
    </div>
  );
}

function ResultImage({ id }: { id: number }) {
  const [sha, setSha] = useState<string | null>(null);
  useEffect(() => {
    invoke('gallery:get', { id })
      .then((d) => setSha(d.sha256))
      .catch((err: unknown) => reportError('Could not load the result', err));
  }, [id]);
  return sha === null ? null : (
    <AssetImage sha256={sha} alt="Infill result" className="stage-result" />
  );
}

function JobStatus({ job, live }: { job: JobView; live: LiveJob | undefined }) {
  const progress = progressOf(job, live);
  return (
    <div className="stage-status">
      <div className="stage-status-line">
        <StatusBadge status={job.status} />
        <span className="muted">
          {job.status === 'completed'
            ? 'Finished: compare, then keep or discard it'
            : progress.total > 0
              ? `${progress.done}/${progress.total} ${unitLabel(progress.unit, progress.total)}`
              : job.status === 'running'
                ? 'Starting…'
                : 'Waiting in the queue…'}
          {progress.eta !== '' ? ` · ETA ${progress.eta}` : ''}
        </span>
      </div>
      {job.status !== 'completed' ? (
        <ProgressBar value={progress.value} label="Infill progress" />
      ) : null}
      {job.error !== null ? <Callout tone="error">{job.error.message}</Callout> : null}
    </div>
  );
}

export interface StagingActions {
  accept: () => void;
  discard: () => void;
  continueFrom: () => void;
  back: () => void;
  cancel: () => void;
}

function ResultActions({ resultId, act }: { resultId: number; act: StagingActions }) {
  return (
    <>
      <button
        type="button"
        className="btn primary"
        onClick={act.accept}
        data-testid="staging-accept"
      >
        <Icon name="check" size={14} /> Accept
      </button>
      <button
        type="button"
        className="btn danger"
        onClick={act.discard}
        data-testid="staging-discard"
      >
        <Icon name="trash" size={14} /> Discard
      </button>
      <button
        type="button"
        className="btn"
        onClick={() => openInLibrary(resultId)}
        data-testid="staging-lineage"
      >
        <Icon name="lineage" size={14} /> Open lineage
      </button>
      <button
        type="button"
        className="btn"
        onClick={act.continueFrom}
        title="Infill the result again"
      >
        <Icon name="infill" size={14} /> Continue from result
      </button>
    </>
  );
}

export function StagingPane({
  job,
  live,
  resultId,
  act,
}: {
  job: JobView | undefined;
  live: LiveJob | undefined;
  resultId: number | undefined;
  act: StagingActions;
}) {
  const stopped = job !== undefined && (job.status === 'failed' || job.status === 'cancelled');
  return (
    <div className="pane staging" data-testid="infill-staging" aria-live="polite">
      <h2 className="section-label">Result</h2>
      <div className="result-frame">
        {resultId !== undefined ? (
          <ResultImage id={resultId} />
        ) : (
          <PreviewCanvas
            preview={live?.preview ?? null}
            label="Infill preview"
            className="stage-canvas"
          />
        )}
      </div>
      {job !== undefined ? <JobStatus job={job} live={live} /> : null}
      {resultId !== undefined ? <ResultLineage id={resultId} /> : null}
      <div className="staging-actions">
        {resultId !== undefined ? (
          <ResultActions resultId={resultId} act={act} />
        ) : stopped ? (
          <button type="button" className="btn" onClick={act.back}>
            Back to the mask
          </button>
        ) : (
          <button type="button" className="btn" onClick={act.cancel}>
            <Icon name="x" size={14} /> Cancel
          </button>
        )}
      </div>
    </div>
  );
}
