/**
 * Generate: model, prompt, style, seed, guidance and the sampling controls within the model's
 * bounds, count and best-of-N; the live preview with progress and ETA while it runs, and the
 * results as they complete (docs/studio.md §Generate).
 */
import { useEffect, useId, useMemo, useRef, useState } from 'react';
import type { ModelView } from '../../../app/common/contract.ts';
import { invoke } from '../bridge/index.ts';
import { Icon } from '../components/Icon.tsx';
import { progressOf } from '../components/QueuePanel.tsx';
import { SeedField, StyleField } from '../components/SeedStyleFields.tsx';
import {
  AssetImage,
  Callout,
  Field,
  PreviewCanvas,
  ProgressBar,
  RangeField,
  StatusBadge,
} from '../components/ui.tsx';
import { clamp, clampToBounds, randomSeed } from '../lib/settings.ts';
import {
  openInLibrary,
  reportError,
  sessionStore,
  settingsStore,
  toast,
  updateSettings,
} from '../state/app.ts';
import { jobAction, jobsStore, refreshJobs } from '../state/jobs.ts';
import { canDo, hasMemory, modelsStore } from '../state/models.ts';
import { useStore } from '../state/store.ts';
import { useBoards } from '../state/boards.ts';
import { unitLabel } from '../lib/format.ts';

const PROMPT_MAX = 2000;
const MEMORY_HINT =
  'Give the model the training emoji closest to your prompt as a reference (CM3Leon retrieval)';

function bound(
  m: ModelView | undefined,
  key: string,
  fallback: [number, number],
): [number, number] {
  const b = m?.sampling.bounds[key];
  return b === undefined ? fallback : [b[0], b[1]];
}

export function GenerateScreen() {
  const s = useStore(settingsStore, (x) => x);
  const { models, loaded } = useStore(modelsStore, (x) => x);
  const session = useStore(sessionStore, (x) => x);
  const jobs = useStore(jobsStore, (x) => x.jobs);
  const live = useStore(jobsStore, (x) => x.live);
  const boards = useBoards();
  const [submitting, setSubmitting] = useState(false);
  const ids = {
    model: useId(),
    prompt: useId(),
    negative: useId(),
    style: useId(),
    memory: useId(),
    seed: useId(),
    count: useId(),
    bestOf: useId(),
    board: useId(),
  };

  const generators = useMemo(() => models.filter((m) => canDo(m, 'generate')), [models]);
  const model = generators.find((m) => m.id === s.modelId);

  // Pick a model once the list arrives (the first usable one), and keep sampling in bounds.
  useEffect(() => {
    if (!loaded || generators.length === 0) return;
    if (model === undefined) {
      const first = generators.find((m) => m.usable) ?? generators[0]!;
      settingsStore.set((cur) => ({
        ...clampToBounds(
          { ...cur, modelId: first.id, ...first.sampling.defaults },
          first.sampling.bounds,
        ),
        style: cur.style !== null && first.styles.includes(cur.style) ? cur.style : null,
      }));
    }
  }, [loaded, generators, model]);

  const chooseModel = (id: string) => {
    const m = generators.find((x) => x.id === id);
    if (m === undefined) return;
    settingsStore.set((cur) => ({
      ...clampToBounds({ ...cur, modelId: id }, m.sampling.bounds),
      style: cur.style !== null && m.styles.includes(cur.style) ? cur.style : null,
    }));
  };

  const resetSampling = () => {
    if (model === undefined) return;
    updateSettings({ ...model.sampling.defaults, cdk: null });
  };

  const blocked =
    model === undefined
      ? loaded
        ? 'No installed model can generate images: import one on the Models screen.'
        : 'Loading models…'
      : !model.usable
        ? (model.problem ?? 'This model cannot run in this version.')
        : s.prompt.trim() === ''
          ? 'Write a prompt to generate.'
          : s.prompt.length > PROMPT_MAX
            ? `The prompt is over ${PROMPT_MAX} characters: shorten it.`
            : null;

  const submit = async () => {
    if (blocked !== null || submitting || model === undefined) return;
    const seed = s.seedLocked ? s.seed : randomSeed();
    if (!s.seedLocked) updateSettings({ seed });
    setSubmitting(true);
    try {
      const { jobIds } = await invoke('jobs:submitGenerate', {
        modelId: model.id,
        provider: model.provider,
        prompt: s.prompt.trim(),
        negativePrompt: s.negativePrompt,
        style: s.style,
        seed,
        bestOf: s.bestOf,
        count: s.count,
        sampling: {
          cfgScale: s.cfgScale,
          temperature: s.temperature,
          topK: Math.round(s.topK),
          topP: s.topP,
          cdk: s.cdk,
        },
        boardId: s.boardId,
        // Only models with a retrieval memory read it; the others are sent nothing.
        ...(hasMemory(model) ? { retrieval: s.memory ? ('auto' as const) : ('off' as const) } : {}),
      });
      sessionStore.set((x) => ({
        ...x,
        jobIds: [...[...jobIds].reverse(), ...x.jobIds].slice(0, 500),
      }));
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

  // The job on stage: the first of this session's jobs still running or waiting, else the latest.
  const sessionJobs = session.jobIds
    .map((id) => jobs.find((j) => j.id === id))
    .filter((j) => j !== undefined);
  const running = sessionJobs.find((j) => j.status === 'running');
  const waiting = sessionJobs.filter((j) => j.status === 'queued' || j.status === 'paused');
  const staged = running ?? waiting[waiting.length - 1] ?? sessionJobs[0];
  const stagedLive = staged === undefined ? undefined : live[staged.id];
  const progress = staged === undefined ? null : progressOf(staged, stagedLive);
  const stagedResult =
    staged?.status === 'completed' ? session.results.find((r) => r.jobId === staged.id) : undefined;
  const lastPreview =
    stagedLive?.preview ??
    sessionJobs.map((j) => live[j.id]?.preview).find((p) => p !== undefined && p !== null) ??
    null;

  const [tb, kb, pb, cb] = [
    bound(model, 'temperature', [0, 3]),
    bound(model, 'topK', [0, 1000]),
    bound(model, 'topP', [0.05, 1]),
    bound(model, 'cfgScale', [0, 20]),
  ];

  return (
    <div className="screen generate-screen">
      <form
        className="form-column"
        aria-label="Generation settings"
        onSubmit={(e) => {
          e.preventDefault();
          void submit();
        }}
      >
        <h1 className="screen-title">Generate</h1>
        <Field label="Model" id={ids.model}>
          <select
            id={ids.model}
            value={s.modelId}
            onChange={(e) => chooseModel(e.target.value)}
            data-testid="model-select"
          >
            {generators.length === 0 ? <option value="">No model installed</option> : null}
            {generators.map((m) => (
              <option key={m.id} value={m.id} disabled={!m.usable}>
                {m.name}
                {m.usable ? '' : ' (cannot run)'}
              </option>
            ))}
          </select>
        </Field>
        {model !== undefined ? (
          <div className="model-line muted">
            {model.family} · {model.image.width}×{model.image.height} px
          </div>
        ) : null}
        {model?.trainedOnEmojiOnly ? (
          <Callout tone="info" title="Trained on emoji only">
            This model draws small emoji-style icons. Prompts about photos or scenes it never saw
            give emoji-like results.
          </Callout>
        ) : null}
        {model !== undefined && !model.usable ? (
          <Callout tone="error" title="This model cannot run">
            {model.problem ?? 'Pick another model.'}
          </Callout>
        ) : null}

        <Field
          label="Prompt"
          id={ids.prompt}
          hint={
            <span className={s.prompt.length > PROMPT_MAX ? 'bad' : ''}>
              {s.prompt.length}/{PROMPT_MAX} · Ctrl+Enter to generate
            </span>
          }
        >
          <textarea
            id={ids.prompt}
            rows={4}
            value={s.prompt}
            placeholder="a red heart with a white sparkle"
            onChange={(e) => updateSettings({ prompt: e.target.value })}
            data-testid="prompt-input"
          />
        </Field>
        <Field label="Negative prompt" id={ids.negative} hint="What the image should not look like">
          <textarea
            id={ids.negative}
            rows={2}
            value={s.negativePrompt}
            onChange={(e) => updateSettings({ negativePrompt: e.target.value })}
            data-testid="negative-input"
          />
        </Field>
        <StyleField
          id={ids.style}
          styles={model?.styles ?? []}
          value={s.style}
          onChange={(style) => updateSettings({ style })}
          testId="style-select"
        />
        {model !== undefined && hasMemory(model) ? (
          <div className="field">
            <label className="check">
              <input
                type="checkbox"
                checked={s.memory}
                onChange={(e) => updateSettings({ memory: e.target.checked })}
                aria-describedby={ids.memory}
                data-testid="memory-checkbox"
              />
              Model memory
            </label>
            <div id={ids.memory} className="hint">
              {MEMORY_HINT}
            </div>
          </div>
        ) : null}

        <SeedField
          id={ids.seed}
          seed={s.seed}
          locked={s.seedLocked}
          onChange={updateSettings}
          testIdPrefix="seed"
          hint
        />

        <RangeField
          label="Guidance (CFG)"
          value={s.cfgScale}
          min={cb[0]}
          max={cb[1]}
          step={0.1}
          onChange={(v) => updateSettings({ cfgScale: v })}
          testId="cfg-input"
        />
        <details className="group" open>
          <summary>Sampling</summary>
          <RangeField
            label="Temperature"
            value={s.temperature}
            min={tb[0]}
            max={tb[1]}
            step={0.05}
            onChange={(v) => updateSettings({ temperature: v })}
            hint={s.temperature === 0 ? 'Greedy: always the most likely token' : undefined}
          />
          <RangeField
            label="Top-k"
            value={s.topK}
            min={kb[0]}
            max={kb[1]}
            step={1}
            onChange={(v) => updateSettings({ topK: Math.round(v) })}
            hint={s.topK === 0 ? '0 = off' : undefined}
          />
          <RangeField
            label="Top-p"
            value={s.topP}
            min={pb[0]}
            max={pb[1]}
            step={0.01}
            onChange={(v) => updateSettings({ topP: v })}
          />
          <label className="check">
            <input
              type="checkbox"
              checked={s.cdk !== null}
              onChange={(e) =>
                updateSettings({ cdk: e.target.checked ? { alpha: 0.5, k: 8, tau: 1 } : null })
              }
            />
            CD-K (contrastive decoding)
          </label>
          {s.cdk !== null ? (
            <div className="inline-fields">
              <RangeField
                label="α"
                value={s.cdk.alpha}
                min={0.01}
                max={1}
                step={0.01}
                onChange={(v) => updateSettings({ cdk: { ...s.cdk!, alpha: v } })}
              />
              <RangeField
                label="k"
                value={s.cdk.k}
                min={1}
                max={64}
                step={1}
                onChange={(v) => updateSettings({ cdk: { ...s.cdk!, k: Math.round(v) } })}
              />
              <RangeField
                label="τ"
                value={s.cdk.tau}
                min={0}
                max={10}
                step={0.1}
                onChange={(v) => updateSettings({ cdk: { ...s.cdk!, tau: v } })}
              />
            </div>
          ) : null}
          <button
            type="button"
            className="btn link small"
            onClick={resetSampling}
            disabled={model === undefined}
          >
            Reset to the model's defaults
          </button>
        </details>

        <div className="two-col">
          <Field label="Count" id={ids.count} hint="Images (1–64)">
            <input
              id={ids.count}
              className="num"
              type="number"
              min={1}
              max={64}
              value={s.count}
              onChange={(e) =>
                updateSettings({ count: clamp(Math.round(Number(e.target.value)), 1, 64) })
              }
              data-testid="count-input"
            />
          </Field>
          <Field label="Best of N" id={ids.bestOf} hint="Ranked by self-caption">
            <input
              id={ids.bestOf}
              className="num"
              type="number"
              min={1}
              max={16}
              value={s.bestOf}
              onChange={(e) =>
                updateSettings({ bestOf: clamp(Math.round(Number(e.target.value)), 1, 16) })
              }
              data-testid="bestof-input"
            />
          </Field>
        </div>
        <Field label="Add to board" id={ids.board}>
          <select
            id={ids.board}
            value={s.boardId ?? ''}
            onChange={(e) =>
              updateSettings({ boardId: e.target.value === '' ? null : Number(e.target.value) })
            }
          >
            <option value="">No board</option>
            {boards.map((b) => (
              <option key={b.id} value={b.id}>
                {b.name}
              </option>
            ))}
          </select>
        </Field>

        <div className="submit-row">
          <button
            type="submit"
            className="btn primary wide"
            disabled={blocked !== null || submitting}
            data-testid="generate-button"
            aria-describedby={blocked === null ? undefined : 'generate-blocked'}
          >
            <Icon name="generate" />{' '}
            {submitting ? 'Queuing…' : s.count > 1 ? `Generate ${s.count}` : 'Generate'}
          </button>
          {blocked !== null ? (
            <div id="generate-blocked" className="hint">
              {blocked}
            </div>
          ) : null}
        </div>
      </form>

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
          {staged !== undefined && progress !== null ? (
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
                {stagedLive?.provider ? ` · ${stagedLive.provider}` : ''}
                {waiting.length > (running === undefined ? 1 : 0)
                  ? ` · ${waiting.length - (running === undefined ? 1 : 0)} more waiting`
                  : ''}
              </div>
              {staged.error !== null ? (
                <Callout tone="error">{staged.error.message}</Callout>
              ) : null}
              {(stagedLive?.notices ?? []).map((n) => (
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
          ) : null}
        </div>
        <div className="results">
          <h2 className="section-label">
            Results{session.results.length > 0 ? ` (${session.results.length})` : ''}
          </h2>
          {session.results.length === 0 ? (
            <div className="muted">Finished images land here and in the Library.</div>
          ) : (
            <ul className="result-grid" data-testid="result-grid">
              {session.results.map((r) => (
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
      </section>
    </div>
  );
}
