/** Where a replay queued from the detail panel stands, and the image it made. */
import { jobsStore } from '../../state/jobs.ts';
import { useStore } from '../../state/store.ts';
import { Callout, StatusBadge } from '../ui.tsx';
import { ItemLink } from './ItemLink.tsx';
import { Section } from './Section.tsx';

export function ReplayStatus({ jobId, onOpen }: { jobId: string; onOpen: (id: number) => void }) {
  const job = useStore(jobsStore, (s) => s.jobs.find((j) => j.id === jobId));
  const resultId = job?.status === 'completed' ? job.assetIds[0] : undefined;
  return (
    <Section title="Replay">
      <div data-testid="replay-status" aria-live="polite">
        {job === undefined ? <div className="muted">Queued…</div> : null}
        {job !== undefined && resultId === undefined ? (
          <div className="stage-status-line">
            <StatusBadge status={job.status} />
            <span className="muted">
              {job.status === 'failed' ? 'The replay failed' : 'Making it again from its recipe…'}
            </span>
          </div>
        ) : null}
        {job?.error != null ? <Callout tone="error">{job.error.message}</Callout> : null}
        {resultId !== undefined ? (
          <div data-testid="replay-result">
            <ItemLink id={resultId} onOpen={onOpen} caption={job?.summary ?? undefined} />
          </div>
        ) : null}
      </div>
    </Section>
  );
}
