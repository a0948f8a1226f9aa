/**
 * The Caption screen's state: the captioning model (the chosen one, else the first usable), the
 * job shown (the chosen one, else the newest) with its per-file results read back from the
 * library, what blocks a start, and starting a run.
 */
import { useEffect, useMemo, useState } from 'react';
import type { JobView } from '../../../../app/common/contract.ts';
import { invoke } from '../../bridge/index.ts';
import { captionBlocker } from '../../lib/blockers.ts';
import { captionJobsOf, type FileStatus } from '../../lib/caption-view.ts';
import { reportError } from '../../state/app.ts';
import { captionFormStore, setCaptionForm } from '../../state/caption-form.ts';
import { jobsStore, loadJobFiles, refreshJobs } from '../../state/jobs.ts';
import { canDo, modelsStore } from '../../state/models.ts';
import { useStore } from '../../state/store.ts';

export function useCaption() {
  const form = useStore(captionFormStore, (s) => s);
  const { models, loaded } = useStore(modelsStore, (s) => s);
  const jobs = useStore(jobsStore, (s) => s.jobs);
  const live = useStore(jobsStore, (s) => s.live);
  const [filter, setFilter] = useState<FileStatus | 'all'>('all');
  const [submitting, setSubmitting] = useState(false);

  const captioners = useMemo(() => models.filter((m) => canDo(m, 'caption')), [models]);
  const model = captioners.find((m) => m.id === form.modelId) ?? captioners.find((m) => m.usable);
  useEffect(() => {
    if (model !== undefined && form.modelId !== model.id) setCaptionForm({ modelId: model.id });
  }, [model, form.modelId]);

  const captionJobs = captionJobsOf(jobs);
  const job: JobView | undefined = captionJobs.find((j) => j.id === form.jobId) ?? captionJobs[0];
  const jobLive = job === undefined ? undefined : live[job.id];
  const history = jobLive?.history ?? 'none';
  // The library keeps every job's per-file results: read them for the job shown.
  useEffect(() => {
    if (job !== undefined && history === 'none') void loadJobFiles(job.id);
  }, [job?.id, history]);

  const start = async () => {
    if (model === undefined || form.folder.trim() === '' || submitting) return;
    setSubmitting(true);
    try {
      const { jobId } = await invoke('jobs:submitCaptionFolder', {
        modelId: model.id,
        provider: model.provider,
        folder: form.folder.trim(),
        recursive: form.recursive,
        includeHidden: form.includeHidden,
        writeXmp: form.writeXmp,
        retryFailed: form.retryFailed,
      });
      setCaptionForm({ jobId });
      setFilter('all');
      await refreshJobs();
    } catch (err) {
      reportError('Could not start captioning', err);
    } finally {
      setSubmitting(false);
    }
  };

  return {
    form,
    captioners,
    model,
    captionJobs,
    job,
    jobLive,
    filter,
    setFilter,
    submitting,
    start,
    blocked: captionBlocker({ model, loaded, folder: form.folder }),
  };
}
