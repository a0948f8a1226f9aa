/**
 * The Compare screen's state: the models that take part, the form, the comparison's cells as
 * their jobs run (with each finished cell's time and self-score), and starting a comparison.
 */
import { useEffect, useMemo, useState } from 'react';
import { invoke } from '../../bridge/index.ts';
import { PROMPT_MAX } from '../../lib/blockers.ts';
import {
  cellOf,
  comparableModels,
  commonProvider,
  compareRequest,
  sharedBounds,
  sharedStart,
  type SharedSettings,
} from '../../lib/compare.ts';
import { randomSeed } from '../../lib/settings.ts';
import { reportError } from '../../state/app.ts';
import {
  compareFormStore,
  compareStore,
  measure,
  measuresStore,
  updateCompareForm,
} from '../../state/compare.ts';
import { jobsStore, refreshJobs } from '../../state/jobs.ts';
import { modelsStore } from '../../state/models.ts';
import { useStore } from '../../state/store.ts';

function blockedBy(prompt: string, models: number, loaded: boolean): string | null {
  if (!loaded) return 'Reading the installed models…';
  if (models === 0) return 'No installed model can generate: import one on the Models screen';
  if (prompt.trim() === '') return 'Write a prompt to compare';
  if (prompt.length > PROMPT_MAX) return `The prompt is over ${PROMPT_MAX} characters`;
  return null;
}

export function useCompare() {
  const models = useStore(modelsStore, (s) => s.models);
  const loaded = useStore(modelsStore, (s) => s.loaded);
  const form = useStore(compareFormStore, (f) => f);
  const session = useStore(compareStore, (s) => s);
  const jobs = useStore(jobsStore, (s) => s.jobs);
  const live = useStore(jobsStore, (s) => s.live);
  const measures = useStore(measuresStore, (m) => m);
  const [submitting, setSubmitting] = useState(false);

  const comparable = useMemo(() => comparableModels(models), [models]);
  const bounds = useMemo(() => sharedBounds(comparable), [comparable]);
  const shared: SharedSettings = form.shared ?? sharedStart(comparable);
  const cells = useMemo(
    () =>
      (session?.runs ?? []).map((r) =>
        cellOf(
          r,
          jobs.find((j) => j.id === r.jobId),
          models,
        ),
      ),
    [session, jobs, models],
  );
  useEffect(() => {
    for (const c of cells) if (c.itemId !== null) measure(c.itemId);
  }, [cells]);

  const blocked = blockedBy(form.prompt, comparable.length, loaded);
  const submit = async () => {
    if (blocked !== null || submitting) return;
    const seed = form.seedLocked ? form.seed : randomSeed();
    updateCompareForm({ seed });
    setSubmitting(true);
    try {
      const request = compareRequest({
        prompt: form.prompt,
        seed,
        mode: form.mode,
        shared,
        provider: commonProvider(comparable),
      });
      const started = await invoke('compare:run', request);
      compareStore.set({
        prompt: form.prompt,
        seed: started.seed,
        shared: form.mode === 'shared' ? shared : null,
        runs: started.runs,
      });
      void refreshJobs();
    } catch (err) {
      reportError('Could not start the comparison', err);
    } finally {
      setSubmitting(false);
    }
  };

  return {
    comparable,
    bounds,
    form,
    shared,
    session,
    cells,
    live,
    measures,
    blocked,
    submitting,
    submit,
  };
}
