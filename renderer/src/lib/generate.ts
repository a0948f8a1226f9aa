/**
 * Generate's logic without the screen: the model a settings change moves to, the sampling
 * bounds a slider offers, the `jobs:submitGenerate` request the settings turn into, and which of
 * this session's jobs is "on stage" (shown in the preview with its progress). Pure.
 */
import type { JobView, ModelView, RequestOf } from '../../../app/common/contract.ts';
import type { Decoding } from '../../../app/common/inference-contract.ts';
import {
  clamp,
  clampToBounds,
  SAMPLING_KEYS,
  type Denoising,
  type GenerateSettings,
  type SamplingKey,
} from './settings.ts';

type ModelChoice = Pick<ModelView, 'id' | 'sampling' | 'styles'>;

/** A slider's range: the model's declared bound for `key`, or `fallback`. */
export function samplingBound(
  model: Pick<ModelView, 'sampling'> | undefined,
  key: string,
  fallback: [number, number],
): [number, number] {
  const b = model?.sampling.bounds[key];
  return b === undefined ? fallback : [b[0], b[1]];
}

/**
 * The settings once `model` is chosen: each sampling value from the model's own defaults unless
 * the user locked it (a locked one is only pulled into the model's bounds), and the style kept
 * only if the model has it.
 */
export function settingsForModel(cur: GenerateSettings, model: ModelChoice): GenerateSettings {
  const locked = new Set(cur.lockedSampling);
  const next: GenerateSettings = {
    ...cur,
    modelId: model.id,
    bestOf: model.sampling.defaults.bestOf,
  };
  for (const key of SAMPLING_KEYS) if (!locked.has(key)) next[key] = model.sampling.defaults[key];
  return {
    ...clampToBounds(next, model.sampling.bounds),
    style: cur.style !== null && model.styles.includes(cur.style) ? cur.style : null,
    diffusion: denoisingFor(cur.diffusion, model),
  };
}

/**
 * The denoising settings once `model` is chosen: null for a model without them, the current
 * ones where the model takes them (its steps pulled into its bounds), else its defaults.
 */
export function denoisingFor(
  cur: Denoising | null,
  model: Pick<ModelView, 'sampling'>,
): Denoising | null {
  const d = model.sampling.diffusion;
  if (d === undefined) return null;
  if (cur === null || !d.samplers.includes(cur.sampler)) return { ...d.defaults };
  return {
    steps: Math.round(clamp(cur.steps, d.bounds.steps[0], d.bounds.steps[1])),
    sampler: cur.sampler,
  };
}

/** "Reset to the model's defaults": every sampling value from `model`, locked or not; CD-K off. */
export function resetToModelDefaults(cur: GenerateSettings, model: ModelChoice): GenerateSettings {
  const reset = settingsForModel({ ...cur, lockedSampling: [], cdk: null, diffusion: null }, model);
  return { ...reset, lockedSampling: cur.lockedSampling };
}

/** The locks with `key` locked or unlocked. */
export function toggleLock(locked: readonly SamplingKey[], key: SamplingKey): SamplingKey[] {
  return locked.includes(key) ? locked.filter((k) => k !== key) : [...locked, key];
}

/** The model to start from when none is chosen: the first one that can run, else the first. */
export function firstChoice<M extends Pick<ModelView, 'usable'>>(
  models: readonly M[],
): M | undefined {
  return models.find((m) => m.usable) ?? models[0];
}

export type GenerateRequest = RequestOf<'jobs:submitGenerate'>;

/** The request for `seed`; `withMemory` for a model with a retrieval memory. */
export function generateRequest(
  s: GenerateSettings,
  model: Pick<ModelView, 'id' | 'provider'> & {
    sampling?: Pick<ModelView['sampling'], 'diffusion'>;
  },
  seed: number,
  withMemory: boolean,
): GenerateRequest {
  // Steps and sampler go only to a model that declares them.
  const diffusion = model.sampling?.diffusion === undefined ? null : s.diffusion;
  return {
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
      ...(s.decoding === null ? {} : { decoding: s.decoding }),
      ...(diffusion === null ? {} : { diffusion }),
    },
    boardId: s.boardId,
    // Only models with a retrieval memory read it; the others are sent nothing.
    ...(withMemory ? { retrieval: s.memory ? ('auto' as const) : ('off' as const) } : {}),
  };
}

/** Job ids of a submission put in front of the session's (newest first), at most `limit`. */
export function withSubmitted(
  sessionJobIds: readonly string[],
  submitted: readonly string[],
  limit = 500,
): string[] {
  return [...[...submitted].reverse(), ...sessionJobIds].slice(0, limit);
}

type Stageable = Pick<JobView, 'id' | 'status'>;

export interface Stage<J extends Stageable> {
  /** the job on stage: the first running one, else the oldest waiting, else the newest */
  staged: J | undefined;
  running: J | undefined;
  /** jobs waiting behind the staged one */
  moreWaiting: number;
}

/** Which of the session's jobs (ids newest first) the preview shows. */
export function stageOf<J extends Stageable>(
  sessionJobIds: readonly string[],
  jobs: readonly J[],
): Stage<J> & { sessionJobs: J[] } {
  const sessionJobs = sessionJobIds
    .map((id) => jobs.find((j) => j.id === id))
    .filter((j) => j !== undefined);
  const running = sessionJobs.find((j) => j.status === 'running');
  const waiting = sessionJobs.filter((j) => j.status === 'queued' || j.status === 'paused');
  const staged = running ?? waiting[waiting.length - 1] ?? sessionJobs[0];
  const moreWaiting = Math.max(0, waiting.length - (running === undefined ? 1 : 0));
  return { staged, running, moreWaiting, sessionJobs };
}

/** The preview to show: the staged job's own, else the newest any session job drew. */
export function previewOf<P>(
  stagedId: string | undefined,
  sessionJobIds: readonly string[],
  previews: Readonly<Record<string, { preview: P | null } | undefined>>,
): P | null {
  const own = stagedId === undefined ? undefined : previews[stagedId]?.preview;
  return (
    own ??
    sessionJobIds.map((id) => previews[id]?.preview).find((p) => p !== undefined && p !== null) ??
    null
  );
}

/**
 * Images of this session's finished jobs that the Results grid lacks: a job that finished while
 * the page was reloading or disconnected sent its "completed" event to no one.
 */
export function missedResults(
  sessionJobIds: readonly string[],
  results: readonly { id: number }[],
  jobs: readonly Pick<JobView, 'id' | 'status' | 'assetIds'>[],
): { jobId: string; assetIds: number[] }[] {
  const have = new Set(results.map((r) => r.id));
  const mine = new Set(sessionJobIds);
  return jobs
    .filter((j) => mine.has(j.id) && j.status === 'completed')
    .map((j) => ({ jobId: j.id, assetIds: j.assetIds.filter((id) => !have.has(id)) }))
    .filter((m) => m.assetIds.length > 0);
}

/** This session's jobs and results as kept in the tab's storage, or empty when unreadable. */
export function parseSession(raw: string | null): {
  jobIds: string[];
  results: { id: number; sha256: string; title: string; jobId: string }[];
} {
  const empty = { jobIds: [], results: [] };
  if (raw === null) return empty;
  try {
    const v = JSON.parse(raw) as { jobIds?: unknown; results?: unknown };
    const jobIds = Array.isArray(v.jobIds) ? v.jobIds.filter((x) => typeof x === 'string') : [];
    const results = Array.isArray(v.results)
      ? (v.results as Record<string, unknown>[]).filter(
          (r) =>
            r !== null &&
            typeof r === 'object' &&
            Number.isInteger(r.id) &&
            typeof r.sha256 === 'string' &&
            typeof r.title === 'string' &&
            typeof r.jobId === 'string',
        )
      : [];
    return { jobIds, results: results as unknown as ReturnType<typeof parseSession>['results'] };
  } catch {
    return empty;
  }
}

/**
 * Parallel decoding with another draft window, keeping the candidates per position and the
 * draft source: the window alone changes, so the family's tuned tree stays in use.
 */
export function withDecodingWindow(decoding: Decoding, window: number): Decoding {
  return { ...decoding, window: Math.round(window) };
}
