/**
 * The captioning job shown: a picker when there are several, its status, progress with ETA,
 * the controls its status allows, its error and the model's notices.
 */
import { useId } from 'react';
import type { JobView } from '../../../../app/common/contract.ts';
import { Icon, type IconName } from '../../components/Icon.tsx';
import { progressOf } from '../../components/QueuePanel.tsx';
import { Callout, ProgressBar, StatusBadge } from '../../components/ui.tsx';
import { controlsFor, type JobControl } from '../../lib/caption-view.ts';
import { formatDate } from '../../lib/format.ts';
import { setCaptionForm } from '../../state/caption-form.ts';
import { jobAction, type LiveJob } from '../../state/jobs.ts';

const CONTROLS: Record<JobControl, { icon: IconName; label: string; testId?: string }> = {
  pause: { icon: 'pause', label: 'Pause', testId: 'caption-pause' },
  resume: { icon: 'play', label: 'Resume', testId: 'caption-resume' },
  retry: { icon: 'retry', label: 'Retry' },
  cancel: { icon: 'x', label: 'Cancel' },
};

function JobPicker({ job, jobs }: { job: JobView; jobs: readonly JobView[] }) {
  const id = useId();
  return (
    <div className="field compact-field wide-select">
      <label htmlFor={id}>Job</label>
      <select id={id} value={job.id} onChange={(e) => setCaptionForm({ jobId: e.target.value })}>
        {jobs.map((j) => (
          <option key={j.id} value={j.id}>
            {j.title} — {j.status} — {formatDate(j.createdAt)}
          </option>
        ))}
      </select>
    </div>
  );
}

export function CaptionJobHead({
  job,
  jobs,
  live,
}: {
  job: JobView;
  jobs: readonly JobView[];
  live: LiveJob | undefined;
}) {
  const progress = progressOf(job, live);
  return (
    <div className="caption-job-head">
      {jobs.length > 1 ? <JobPicker job={job} jobs={jobs} /> : null}
      <div className="stage-status-line">
        <StatusBadge status={job.status} />
        <span className="ellipsis mono" title={job.title}>
          {job.title}
        </span>
      </div>
      <ProgressBar value={progress.value} label="Captioning progress" />
      <div className="muted stage-numbers" data-testid="caption-progress">
        {progress.total > 0 ? `${progress.done} / ${progress.total} files` : 'Scanning the folder…'}
        {progress.rate !== '' ? ` · ${progress.rate}` : ''}
        {progress.eta !== '' ? ` · ETA ${progress.eta}` : ''}
      </div>
      <div className="row gap">
        {controlsFor(job.status).map((c) => (
          <button
            key={c}
            type="button"
            className="btn small"
            onClick={() => void jobAction(c, job.id)}
            data-testid={CONTROLS[c].testId}
          >
            <Icon name={CONTROLS[c].icon} size={13} /> {CONTROLS[c].label}
          </button>
        ))}
      </div>
      {job.error !== null ? (
        <Callout tone="error" title="Captioning stopped">
          {job.error.message}
        </Callout>
      ) : null}
      {(live?.notices ?? []).map((n) => (
        <Callout key={n} tone="warn">
          {n}
        </Callout>
      ))}
    </div>
  );
}
