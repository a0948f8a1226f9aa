/**
 * The Generate screen's settings, and the diff between them and a stored recipe that "Reuse
 * settings" shows field by field (docs/studio.md §Reuse and remix: InvokeAI's "Use All" clobbered
 * whatever the user had set; here each field is applied on its own). Pure: no DOM, no React.
 */
import type { Decoding, DiffusionSampler } from '../../../app/common/inference-contract.ts';
import type { Recipe } from '../../../app/common/recipe.ts';

export interface Cdk {
  alpha: number;
  k: number;
  tau: number;
}

export interface Denoising {
  steps: number;
  sampler: DiffusionSampler;
}

export interface GenerateSettings {
  modelId: string;
  prompt: string;
  negativePrompt: string;
  style: string | null;
  seed: number;
  /** locked: every run uses `seed`; unlocked: each run draws a fresh one (and shows it) */
  seedLocked: boolean;
  cfgScale: number;
  temperature: number;
  topK: number;
  topP: number;
  cdk: Cdk | null;
  /** Parallel decoding (several draft tokens checked per decoder run); null = one per run. */
  decoding: Decoding | null;
  /** A diffusion model's denoising steps and sampler; null for a model that has none. */
  diffusion: Denoising | null;
  /**
   * Models with a retrieval memory: give the generation the training emoji closest to the
   * prompt (`retrieval: 'auto'`) or none (`'off'`). Models without one ignore it.
   */
  memory: boolean;
  count: number;
  bestOf: number;
  boardId: number | null;
  /** sampling values the user locked: a model switch keeps them instead of the model's defaults */
  lockedSampling: SamplingKey[];
}

/** The sampling values a model's manifest gives defaults for, each lockable on its own. */
export const SAMPLING_KEYS = ['cfgScale', 'temperature', 'topK', 'topP'] as const;
export type SamplingKey = (typeof SAMPLING_KEYS)[number];

export const REUSABLE_FIELDS = [
  'modelId',
  'prompt',
  'negativePrompt',
  'style',
  'seed',
  'cfgScale',
  'temperature',
  'topK',
  'topP',
  'cdk',
  'decoding',
  'diffusion',
  'memory',
] as const;
export type ReusableField = (typeof REUSABLE_FIELDS)[number];
export type StoredSettings = Partial<Pick<GenerateSettings, ReusableField>>;

export const FIELD_LABELS: Record<ReusableField, string> = {
  modelId: 'Model',
  prompt: 'Prompt',
  negativePrompt: 'Negative prompt',
  style: 'Style',
  seed: 'Seed',
  cfgScale: 'Guidance (CFG)',
  temperature: 'Temperature',
  topK: 'Top-k',
  topP: 'Top-p',
  cdk: 'CD-K',
  decoding: 'Parallel decoding',
  diffusion: 'Steps and sampler',
  memory: 'Model memory',
};

export const MAX_SEED = 0xffffffff;

export function defaultSettings(): GenerateSettings {
  return {
    modelId: '',
    prompt: '',
    negativePrompt: '',
    style: null,
    seed: 1,
    seedLocked: false,
    cfgScale: 3,
    temperature: 1,
    topK: 0,
    topP: 0.9,
    cdk: null,
    decoding: null,
    diffusion: null,
    memory: true,
    count: 1,
    bestOf: 1,
    boardId: null,
    lockedSampling: [],
  };
}

/** A uniformly drawn u32 seed. */
export function randomSeed(): number {
  const a = new Uint32Array(1);
  crypto.getRandomValues(a);
  return a[0]!;
}

export function clamp(value: number, lo: number, hi: number): number {
  if (Number.isNaN(value)) return lo;
  return Math.min(hi, Math.max(lo, value));
}

/**
 * Settings as a recipe stored them. `modelHasMemory`: whether the recipe's model, as installed,
 * declares retrieval. A recipe that names the document it was given turns Model memory on; a
 * generation without one, by a model with a memory, turns it off; otherwise the recipe says
 * nothing about it (an infill, a model without a memory, a model that is not installed).
 */
export function storedFromRecipe(recipe: Recipe, modelHasMemory = false): StoredSettings {
  const memory: StoredSettings =
    recipe.retrieval !== undefined
      ? { memory: true }
      : recipe.task === 'generate' && modelHasMemory
        ? { memory: false }
        : {};
  return {
    modelId: recipe.modelId,
    prompt: recipe.prompt,
    negativePrompt: recipe.negativePrompt,
    style: recipe.style,
    seed: recipe.seed,
    cfgScale: recipe.sampling.cfgScale,
    temperature: recipe.sampling.temperature,
    topK: recipe.sampling.topK,
    topP: recipe.sampling.topP,
    cdk: recipe.sampling.cdk,
    decoding: recipe.sampling.decoding ?? null,
    ...(recipe.sampling.diffusion === undefined
      ? {}
      : {
          diffusion: {
            steps: recipe.sampling.diffusion.steps,
            sampler: recipe.sampling.diffusion.sampler,
          },
        }),
    ...memory,
  };
}

/** Settings of an image made by another tool (AUTOMATIC1111 infotext keys), where they parse. */
export function storedFromForeign(foreign: {
  prompt: string;
  negativePrompt: string;
  settings: Record<string, string>;
}): StoredSettings {
  const out: StoredSettings = { prompt: foreign.prompt, negativePrompt: foreign.negativePrompt };
  const num = (key: string): number | undefined => {
    const raw = foreign.settings[key];
    if (raw === undefined || raw.trim() === '') return undefined;
    const n = Number(raw);
    return Number.isFinite(n) ? n : undefined;
  };
  const seed = num('Seed');
  if (seed !== undefined && Number.isInteger(seed) && seed >= 0 && seed <= MAX_SEED)
    out.seed = seed;
  const cfg = num('CFG scale');
  if (cfg !== undefined) out.cfgScale = cfg;
  const t = num('Temperature');
  if (t !== undefined) out.temperature = t;
  const k = num('Top k');
  if (k !== undefined && Number.isInteger(k)) out.topK = k;
  const p = num('Top p');
  if (p !== undefined) out.topP = p;
  return out;
}

export function formatField(
  field: ReusableField,
  value: GenerateSettings[ReusableField] | undefined,
): string {
  if (value === null || value === undefined)
    return field === 'cdk' || field === 'decoding' ? 'off' : '(none)';
  if (typeof value === 'boolean') return value ? 'on' : 'off';
  if (typeof value === 'object' && 'alpha' in value)
    return `α ${value.alpha}, k ${value.k}, τ ${value.tau}`;
  if (typeof value === 'object' && 'steps' in value)
    return `${value.steps} steps, ${value.sampler}`;
  if (typeof value === 'object') return `window ${value.window}`;
  if (typeof value === 'string') return value === '' ? '(empty)' : value;
  return String(value);
}

function sameValue(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (typeof a === 'number' && typeof b === 'number') return Math.abs(a - b) < 1e-9;
  if (a !== null && b !== null && typeof a === 'object' && typeof b === 'object')
    return JSON.stringify(a) === JSON.stringify(b);
  return false;
}

export interface DiffRow {
  field: ReusableField;
  label: string;
  current: string;
  stored: string;
  same: boolean;
}

/** One row per field the stored settings carry, in a stable order. */
export function diffSettings(current: GenerateSettings, stored: StoredSettings): DiffRow[] {
  return REUSABLE_FIELDS.filter((f) => Object.hasOwn(stored, f)).map((field) => {
    const s = stored[field];
    const c = current[field];
    return {
      field,
      label: FIELD_LABELS[field],
      current: formatField(field, c),
      stored: formatField(field, s),
      same: sameValue(c, s),
    };
  });
}

/** Applies only `fields` from the stored settings; everything else is left as the user set it. */
export function applyFields(
  current: GenerateSettings,
  stored: StoredSettings,
  fields: readonly ReusableField[],
): GenerateSettings {
  const next: GenerateSettings = { ...current };
  for (const f of fields) {
    if (!Object.hasOwn(stored, f)) continue;
    (next as Record<ReusableField, unknown>)[f] = stored[f];
  }
  // A seed taken from a recipe is meant to be kept: lock it so the next run replays it.
  if (fields.includes('seed') && stored.seed !== undefined) next.seedLocked = true;
  return next;
}

/** "Remix": everything the recipe stored except its seed, which is drawn afresh. */
export function remixSettings(
  current: GenerateSettings,
  stored: StoredSettings,
  seed: number,
): GenerateSettings {
  const fields = REUSABLE_FIELDS.filter((f) => f !== 'seed');
  return { ...applyFields(current, stored, fields), seed, seedLocked: false };
}

/** Sampling values pulled into a model's bounds (a model switch or a reused recipe). */
export function clampToBounds(
  s: GenerateSettings,
  bounds: Record<string, readonly [number, number]>,
): GenerateSettings {
  const b = (key: string, v: number) => {
    const range = bounds[key];
    return range === undefined ? v : clamp(v, range[0], range[1]);
  };
  return {
    ...s,
    cfgScale: b('cfgScale', s.cfgScale),
    temperature: b('temperature', s.temperature),
    topK: Math.round(b('topK', s.topK)),
    topP: b('topP', s.topP),
  };
}
