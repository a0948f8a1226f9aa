/**
 * Generate's state: the models that can generate and the one chosen (the first usable one once
 * the list arrives), what blocks a run, and submitting it (also on Ctrl/Cmd+Enter anywhere on
 * the screen).
 */
import { useEffect, useMemo, useRef, useState } from 'react';
import { invoke } from '../../bridge/index.ts';
import { generateBlocker } from '../../lib/blockers.ts';
import {
  firstChoice,
  generateRequest,
  resetToModelDefaults,
  settingsForModel,
  withSubmitted,
} from '../../lib/generate.ts';
import { randomSeed } from '../../lib/settings.ts';
import {
  reportError,
  sessionStore,
  settingsStore,
  toast,
  updateSettings,
} from '../../state/app.ts';
import { refreshJobs } from '../../state/jobs.ts';
import { canDo, hasMemory, modelsStore } from '../../state/models.ts';
import { useStore } from '../../state/store.ts';

export function useGenerate() {
  const s = useStore(settingsStore, (x) => x);
  const { models, loaded } = useStore(modelsStore, (x) => x);
  const [submitting, setSubmitting] = useState(false);
  const generators = useMemo(() => models.filter((m) => canDo(m, 'generate')), [models]);
  const model = generators.find((m) => m.id === s.modelId);

  // Pick a model once the list arrives (the first usable one), starting from its defaults.
  useEffect(() => {
    if (!loaded || generators.length === 0 || model !== undefined) return;
    const first = firstChoice(generators)!;
    settingsStore.set((cur) => settingsForModel(cur, first));
  }, [loaded, generators, model]);

  const chooseModel = (id: string) => {
    const m = generators.find((x) => x.id === id);
    if (m !== undefined) settingsStore.set((cur) => settingsForModel(cur, m));
  };

  const resetSampling = () => {
    if (model !== undefined) settingsStore.set((cur) => resetToModelDefaults(cur, model));
  };

  const blocked = generateBlocker({ model, loaded, prompt: s.prompt });

  const submit = async () => {
    if (blocked !== null || submitting || model === undefined) return;
    const seed = s.seedLocked ? s.seed : randomSeed();
    if (!s.seedLocked) updateSettings({ seed });
    setSubmitting(true);
    try {
      const { jobIds } = await invoke(
        'jobs:submitGenerate',
        generateRequest(s, model, seed, hasMemory(model)),
      );
      sessionStore.set((x) => ({ ...x, jobIds: withSubmitted(x.jobIds, jobIds) }));
      void refreshJobs();
      if (jobIds.length > 1) toast(`Queued ${jobIds.length} generations (seed ${seed})`);
    } catch (err) {
      reportError('Could not start the generation', err);
    } finally {
      setSubmitting(false);
    }
  };

  // Ctrl/Cmd+Enter generates from anywhere on this screen.
  const submitRef = useRef(submit);
  submitRef.current = submit;
  useEffect(() => {
    const onKey = (e: KeyboardEvent) => {
      if (e.key === 'Enter' && (e.ctrlKey || e.metaKey)) {
        e.preventDefault();
        void submitRef.current();
      }
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, []);

  return {
    settings: s,
    generators,
    model,
    chooseModel,
    resetSampling,
    blocked,
    submit,
    submitting,
  };
}
