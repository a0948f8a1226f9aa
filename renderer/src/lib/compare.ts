/**
 * Compare's logic without the screen: which models take part, the settings they may share and
 * their range, the `compare:run` request, the comparison kept across a reload, and what each
 * model's cell shows as its job moves from the queue to a finished image. Pure.
 */
import type { JobView, ModelView, RequestOf } from '../../../app/common/contract.ts';
import type { Provider } from '../../../app/common/inference-contract.ts';

export const SHARED_KEYS = ['cfgScale', 'temperature', 'topK', 'topP'] as const;
export type SharedKey = (typeof SHARED_KEYS)[number];
export type SharedSettings = Record<SharedKey, number>;

/** Each model at its own manifest defaults, or every model at the same settings. */
export type SettingsMode = 'own' | 'shared';

export interface CompareRun {
  modelId: string;
  family: string;
  jobId: string;
}

/** A comparison the user started: kept in the tab's storage, so a reload finds its cells. */
export interface CompareSession {
  prompt: string;
  seed: number;
  /** null: each model ran at its own defaults */
  shared: SharedSettings | null;
  runs: CompareRun[];
}

type Comparable = Pick<ModelView, 'id' | 'usable' | 'capabilities' | 'sampling'>;

/** The installed models a comparison runs: every one that can generate in this version. */
export function comparableModels<M extends Comparable>(models: readonly M[]): M[] {
  return models.filter((m) => m.usable && m.capabilities.generate === true);
}

/** Fallback ranges for a setting no model bounds. */
const FALLBACK: Record<SharedKey, [number, number]> = {
  cfgScale: [0, 20],
  temperature: [0, 3],
  topK: [0, 1000],
  topP: [0.05, 1],
};

/**
 * The range a shared setting's slider offers: from the lowest of the models' lower bounds to
 * the highest of their upper bounds (the app holds each model inside its own).
 */
export function sharedBounds(models: readonly Comparable[]): Record<SharedKey, [number, number]> {
  const out = { ...FALLBACK };
  for (const key of SHARED_KEYS) {
    const all = models.map((m) => m.sampling.bounds[key]).filter((b) => b !== undefined);
    if (all.length > 0)
      out[key] = [Math.min(...all.map((b) => b[0])), Math.max(...all.map((b) => b[1]))];
  }
  return out;
}

/** Shared settings start from the first model's defaults (the default model comes first). */
export function sharedStart(models: readonly Comparable[]): SharedSettings {
  const d = models[0]?.sampling.defaults;
  return d === undefined
    ? { cfgScale: 3, temperature: 1, topK: 0, topP: 0.9 }
    : { cfgScale: d.cfgScale, temperature: d.temperature, topK: d.topK, topP: d.topP };
}

/** The models whose own bounds do not reach a shared value: they run at their nearest one. */
export function heldModels(
  models: readonly (Comparable & Pick<ModelView, 'name'>)[],
  shared: SharedSettings,
): string[] {
  return models
    .filter((m) =>
      SHARED_KEYS.some((k) => {
        const b = m.sampling.bounds[k];
        return b !== undefined && (shared[k] < b[0] || shared[k] > b[1]);
      }),
    )
    .map((m) => m.name);
}

export function compareRequest(form: {
  prompt: string;
  seed: number;
  mode: SettingsMode;
  shared: SharedSettings;
  provider: Provider;
}): RequestOf<'compare:run'> {
  return {
    prompt: form.prompt,
    seed: form.seed,
    provider: form.provider,
    ...(form.mode === 'shared' ? { sampling: { ...form.shared } } : {}),
  };
}

const isObject = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v);

function parseShared(v: unknown): SharedSettings | null | undefined {
  if (v === null) return null;
  if (!isObject(v) || !SHARED_KEYS.every((k) => typeof v[k] === 'number')) return undefined;
  return Object.fromEntries(SHARED_KEYS.map((k) => [k, v[k]])) as SharedSettings;
}

/** A stored comparison, or null for nothing stored or anything that is not one. */
export function parseCompareSession(raw: string | null): CompareSession | null {
  if (raw === null) return null;
  let v: unknown;
  try {
    v = JSON.parse(raw);
  } catch {
    return null;
  }
  if (!isObject(v) || typeof v.prompt !== 'string' || typeof v.seed !== 'number') return null;
  const shared = parseShared(v.shared);
  if (shared === undefined || !Array.isArray(v.runs)) return null;
  const runs = v.runs.filter(
    (r): r is CompareRun =>
      isObject(r) &&
      typeof r.modelId === 'string' &&
      typeof r.family === 'string' &&
      typeof r.jobId === 'string',
  );
  if (runs.length !== v.runs.length) return null;
  return { prompt: v.prompt, seed: v.seed, shared, runs };
}

export type CellState = 'waiting' | 'running' | 'paused' | 'done' | 'failed' | 'stopped' | 'gone';

export interface CellView {
  run: CompareRun;
  /** the model's display name (its id when it is no longer installed) */
  name: string;
  state: CellState;
  /** what the state is, in words */
  status: string;
  /** the finished image's library item */
  itemId: number | null;
  error: string | null;
}

const STATUS: Record<CellState, string> = {
  waiting: 'Waiting in the queue',
  running: 'Generating',
  paused: 'Paused',
  done: 'Done',
  failed: 'Failed',
  stopped: 'Cancelled',
  gone: 'No longer in the queue',
};

function stateOf(job: JobView | undefined): CellState {
  if (job === undefined) return 'gone';
  switch (job.status) {
    case 'queued':
      return 'waiting';
    case 'running':
      return 'running';
    case 'paused':
    case 'interrupted':
      return 'paused';
    case 'completed':
      return job.assetIds.length > 0 ? 'done' : 'failed';
    case 'failed':
      return 'failed';
    case 'cancelled':
      return 'stopped';
  }
}

/** One model's cell from its run, its job as the queue lists it, and the installed models. */
export function cellOf(
  run: CompareRun,
  job: JobView | undefined,
  models: readonly Pick<ModelView, 'id' | 'name'>[],
): CellView {
  const state = stateOf(job);
  const failure =
    job?.error?.message ?? (state === 'failed' ? 'the job finished without an image' : null);
  return {
    run,
    name: models.find((m) => m.id === run.modelId)?.name ?? run.modelId,
    state,
    status: STATUS[state],
    itemId: state === 'done' ? job!.assetIds[0]! : null,
    error: state === 'failed' ? failure : null,
  };
}

/** "2 of 3 models done", and how many failed. */
export function compareSummary(cells: readonly CellView[]): string {
  const done = cells.filter((c) => c.state === 'done').length;
  const failed = cells.filter((c) => c.state === 'failed').length;
  const base = `${done} of ${cells.length} model${cells.length === 1 ? '' : 's'} done`;
  return failed > 0 ? `${base}, ${failed} failed` : base;
}

/** Whether a cell may still change (its job is queued, running or paused). */
export function unfinished(cell: CellView): boolean {
  return cell.state === 'waiting' || cell.state === 'running' || cell.state === 'paused';
}

/** A run's time, as a cell shows it. */
export function formatSeconds(seconds: number | null): string {
  if (seconds === null) return 'not timed';
  return `${seconds < 10 ? seconds.toFixed(2) : seconds.toFixed(1)} s per image`;
}

/** The model's own score of the prompt, as a cell shows it. */
export function formatSelfScore(logProbPerToken: number | null): string {
  if (logProbPerToken === null) return 'cannot score prompts';
  return `${logProbPerToken.toFixed(3)} log p per token`;
}

/**
 * The provider a comparison runs on: the one every model is set to when they agree, else the
 * CPU (one provider for all, so the times compare like with like).
 */
export function commonProvider(models: readonly Pick<ModelView, 'provider'>[]): Provider {
  const first = models[0]?.provider ?? 'cpu';
  return models.every((m) => m.provider === first) ? first : 'cpu';
}

export interface CellMeasure {
  seconds: number | null;
  logProbPerToken: number | null;
}

const numberOrNull = (v: unknown) => v === null || typeof v === 'number';

/** Stored measures by item id (kept so a reload does not score every image again). */
export function parseMeasures(raw: string | null): Record<number, CellMeasure> {
  if (raw === null) return {};
  let v: unknown;
  try {
    v = JSON.parse(raw);
  } catch {
    return {};
  }
  if (!isObject(v)) return {};
  const out: Record<number, CellMeasure> = {};
  for (const [id, m] of Object.entries(v))
    if (
      /^\d+$/.test(id) &&
      isObject(m) &&
      numberOrNull(m.seconds) &&
      numberOrNull(m.logProbPerToken)
    )
      out[Number(id)] = {
        seconds: m.seconds as number | null,
        logProbPerToken: m.logProbPerToken as number | null,
      };
  return out;
}
