/**
 * The infill job of a session: submitting the painted mask at the model's resolution, the job
 * and its live state while it runs, and what the user does with the staged result.
 */
import { useState } from 'react';
import type { ModelView } from '../../../../app/common/contract.ts';
import { invoke } from '../../bridge/index.ts';
import { infillRequest, type InfillSession, type InfillSource } from '../../lib/infill.ts';
import { randomSeed } from '../../lib/settings.ts';
import { reportError, toast } from '../../state/app.ts';
import { openItemInInfill } from '../../state/infill-open.ts';
import { infillSessionStore, setInfillSession } from '../../state/infill-session.ts';
import { jobAction, jobsStore, refreshJobs } from '../../state/jobs.ts';
import { useStore } from '../../state/store.ts';
import type { StagingActions } from './StagingPane.tsx';
import { strokesMask } from './rasterize.ts';

export function useInfillJob(
  item: InfillSource,
  session: InfillSession,
  model: ModelView | undefined,
) {
  const jobs = useStore(jobsStore, (s) => s.jobs);
  const live = useStore(jobsStore, (s) => s.live);
  const [submitting, setSubmitting] = useState(false);
  const job = session.jobId === null ? undefined : jobs.find((j) => j.id === session.jobId);
  const jobLive = session.jobId === null ? undefined : live[session.jobId];
  const resultId = job?.status === 'completed' ? job.assetIds[0] : undefined;

  const submit = async () => {
    if (model === undefined || submitting) return;
    const painted = strokesMask(session.history.present, model.image.width, model.image.height);
    if (painted === null) return;
    if (painted.coverage === 0) {
      reportError(
        'Nothing to infill',
        new Error('the mask is empty: paint over the part of the image to regenerate'),
      );
      return;
    }
    const seed = session.seedLocked ? session.seed : randomSeed();
    setInfillSession({ seed });
    setSubmitting(true);
    try {
      const request = infillRequest(session, item, model, painted.mask, seed);
      const { jobId } = await invoke('jobs:submitInfill', request);
      setInfillSession({ jobId });
      void refreshJobs();
    } catch (err) {
      reportError('Could not start the infill', err);
    } finally {
      setSubmitting(false);
    }
  };

  const discard = async () => {
    if (resultId === undefined) return;
    try {
      await invoke('gallery:delete', { ids: [resultId] });
      setInfillSession({ jobId: null });
      toast('Discarded the infill result (it is in the trash)', {
        label: 'Undo',
        run: () => void invoke('gallery:restore', { ids: [resultId] }),
      });
    } catch (err) {
      reportError('Could not discard the result', err);
    }
  };

  const act: StagingActions = {
    accept: () => {
      setInfillSession({ jobId: null });
      toast(`Kept #${resultId} in the library`);
    },
    discard: () => void discard(),
    continueFrom: () => {
      if (resultId === undefined) return;
      infillSessionStore.set(null);
      openItemInInfill(resultId);
    },
    back: () => setInfillSession({ jobId: null }),
    cancel: () => {
      if (session.jobId !== null) void jobAction('cancel', session.jobId);
    },
  };

  return { job, jobLive, resultId, submitting, submit, act };
}
