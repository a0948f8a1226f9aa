/**
 * Infill's logic without the screen: what is being infilled (a library item, or a file opened
 * without importing it), the session a new source starts with, the `jobs:submitInfill` request,
 * and the keyboard map of the mask editor. Pure.
 */
import type {
  ItemDetailView,
  ModelView,
  OpenedFileView,
  RequestOf,
} from '../../../app/common/contract.ts';
import { MAX_RESAMPLE } from '../../../app/common/diffusion-settings.ts';
import { DIFFUSION_SAMPLER_NAMES, samplingOf } from '../../../app/common/inference-contract.ts';
import { denoisingFor } from './generate.ts';
import type { Denoising } from './settings.ts';
import { historyOf, redo, undo, type History } from './history.ts';
import { bytesToBase64, type Stroke } from './mask.ts';

/** What is being infilled: a library item, or a file opened for it (then `itemId` is null). */
export interface InfillSource {
  /** `item:<id>` or `file:<sha256>`: the session belongs to one source */
  key: string;
  itemId: number | null;
  sha256: string;
  title: string;
  width: number;
  height: number;
  recipe: ItemDetailView['recipe'];
  prompt: string;
}

export function itemSource(item: ItemDetailView): InfillSource {
  return {
    key: `item:${item.id}`,
    itemId: item.id,
    sha256: item.sha256,
    title: item.title,
    width: item.width,
    height: item.height,
    recipe: item.recipe,
    prompt: item.recipe?.prompt ?? item.foreign?.prompt ?? item.title,
  };
}

export function fileSource(file: OpenedFileView): InfillSource {
  return {
    key: `file:${file.sha256}`,
    itemId: null,
    sha256: file.sha256,
    title: file.name,
    width: file.width,
    height: file.height,
    recipe: null,
    prompt: '',
  };
}

export type InfillTool = 'paint' | 'erase';

/** The mask, prompt and settings for one source, and the job it started (staged until kept). */
export interface InfillSession {
  sourceKey: string;
  history: History<Stroke[]>;
  prompt: string;
  seed: number;
  seedLocked: boolean;
  featherPx: number;
  brush: number;
  tool: InfillTool;
  modelId: string;
  style: string | null;
  cfgScale: number;
  /** a diffusion model's steps and sampler; null until the user picks (the source's, else the
   * model's defaults) */
  denoising: Denoising | null;
  /** RePaint's r for a diffusion model: each step retaken this many times (1 = once) */
  resample: number;
  jobId: string | null;
}

/** Brush sizes, in model pixels. */
export const BRUSH_MIN = 1;
export const BRUSH_MAX = 16;

type InfillModel = Pick<ModelView, 'id' | 'usable' | 'sampling'>;

/**
 * A fresh session: the source's recipe model when it is installed and usable, else the first
 * usable one; the recipe's style and guidance where it has them.
 */
export function newSession(
  source: InfillSource,
  infillers: readonly InfillModel[],
  seed: number,
): InfillSession {
  const recipe = source.recipe;
  const model =
    infillers.find((m) => m.id === recipe?.modelId && m.usable) ?? infillers.find((m) => m.usable);
  return {
    sourceKey: source.key,
    history: historyOf<Stroke[]>([]),
    prompt: source.prompt,
    seed,
    seedLocked: false,
    featherPx: 2,
    brush: 4,
    tool: 'paint',
    modelId: model?.id ?? '',
    style: recipe?.style ?? null,
    cfgScale: recipe?.sampling.cfgScale ?? model?.sampling.defaults.cfgScale ?? 3,
    denoising: recipeDenoising(recipe),
    resample: recipe?.sampling.diffusion?.resample ?? 1,
    jobId: null,
  };
}

function recipeDenoising(recipe: InfillSource['recipe']): Denoising | null {
  const d = recipe?.sampling.diffusion;
  return d === undefined ? null : { steps: d.steps, sampler: d.sampler };
}

/**
 * The request for a mask at the model's resolution: the source's own sampling when it has a
 * recipe (else the model's defaults) with the session's guidance, steps, sampler and resampling
 * where the model takes them, and the source named as the parent item or, for a file, by its
 * hash.
 */
export function infillRequest(
  session: InfillSession,
  source: InfillSource,
  model: Pick<ModelView, 'id' | 'provider' | 'sampling'>,
  mask: Uint8Array,
  seed: number,
): RequestOf<'jobs:submitInfill'> {
  const { diffusion: sourceDiffusion, ...sampling } = source.recipe?.sampling ?? {
    ...samplingOf(model.sampling.defaults),
    cdk: null,
  };
  // Steps and sampler only where this model takes them (a token model takes none).
  const denoising = denoisingFor(session.denoising ?? sourceDiffusion ?? null, model);
  const diffusion =
    denoising === null
      ? null
      : { ...denoising, ...(session.resample > 1 ? { resample: session.resample } : {}) };
  return {
    modelId: model.id,
    provider: model.provider,
    prompt: session.prompt.trim(),
    style: session.style,
    seed,
    sampling: {
      ...sampling,
      cfgScale: session.cfgScale,
      ...(diffusion === null ? {} : { diffusion }),
    },
    ...(source.itemId !== null ? { parentId: source.itemId } : { sourceSha256: source.sha256 }),
    mask: bytesToBase64(mask),
    featherPx: session.featherPx,
    boardId: null,
  };
}

/** Whether a key press goes to a text field (then the editor's shortcuts stay out of it). */
export function isTyping(target: { tagName: string; type?: string } | null): boolean {
  if (target === null) return false;
  if (target.tagName === 'TEXTAREA') return true;
  return target.tagName === 'INPUT' && target.type !== 'range' && target.type !== 'checkbox';
}

export interface KeyPress {
  key: string;
  ctrlKey: boolean;
  metaKey: boolean;
  shiftKey: boolean;
}

/**
 * The mask editor's shortcuts: Ctrl/Cmd+Z undoes, with Shift (or Ctrl+Y) redoes; B and E pick
 * the brush and eraser; [ and ] size the brush. Returns the session change and whether the
 * browser's own handling of the key is to be stopped, or null for any other key.
 */
export function infillKey(
  session: Pick<InfillSession, 'history' | 'brush'>,
  e: KeyPress,
): { patch: Partial<InfillSession>; preventDefault: boolean } | null {
  const mod = e.ctrlKey || e.metaKey;
  const key = e.key.toLowerCase();
  if (mod && key === 'z')
    return {
      patch: { history: e.shiftKey ? redo(session.history) : undo(session.history) },
      preventDefault: true,
    };
  if (mod && key === 'y')
    return { patch: { history: redo(session.history) }, preventDefault: true };
  if (mod) return null;
  if (key === 'b') return { patch: { tool: 'paint' }, preventDefault: false };
  if (key === 'e') return { patch: { tool: 'erase' }, preventDefault: false };
  if (e.key === '[')
    return { patch: { brush: Math.max(BRUSH_MIN, session.brush - 1) }, preventDefault: false };
  if (e.key === ']')
    return { patch: { brush: Math.min(BRUSH_MAX, session.brush + 1) }, preventDefault: false };
  return null;
}

const STROKE_MODES = new Set(['paint', 'erase', 'clear', 'fill', 'below']);

/**
 * The session as kept in the tab's storage: the painted mask (without its undo steps) and the
 * job, so a reload keeps a result waiting for Accept or Discard.
 */
export function sessionForStorage(s: InfillSession): string {
  return JSON.stringify({ ...s, history: { past: [], present: s.history.present, future: [] } });
}

/** A kept session read back, or null when it is missing or not one. */
export function sessionFromStorage(raw: string | null): InfillSession | null {
  if (raw === null) return null;
  try {
    const v = JSON.parse(raw) as Record<string, unknown>;
    const str = (k: string) => typeof v[k] === 'string';
    const num = (k: string) => typeof v[k] === 'number' && Number.isFinite(v[k]);
    const present = (v.history as { present?: unknown } | undefined)?.present;
    const strokesOk =
      Array.isArray(present) &&
      present.every(
        (p: unknown) =>
          p !== null && typeof p === 'object' && STROKE_MODES.has((p as { mode: string }).mode),
      );
    const ok =
      str('sourceKey') &&
      str('prompt') &&
      str('modelId') &&
      (v.tool === 'paint' || v.tool === 'erase') &&
      typeof v.seedLocked === 'boolean' &&
      ['seed', 'featherPx', 'brush', 'cfgScale'].every(num) &&
      (v.style === null || str('style')) &&
      (v.jobId === null || str('jobId')) &&
      strokesOk;
    if (!ok) return null;
    // Sessions kept before steps and resampling were infill settings have neither: the source's
    // or the model's defaults apply, as for a new session.
    const d = v.denoising as { steps?: unknown; sampler?: unknown } | null | undefined;
    const denoising =
      d !== null &&
      typeof d === 'object' &&
      Number.isInteger(d.steps) &&
      (DIFFUSION_SAMPLER_NAMES as readonly unknown[]).includes(d.sampler)
        ? ({ steps: d.steps, sampler: d.sampler } as Denoising)
        : null;
    const resample =
      Number.isInteger(v.resample) && (v.resample as number) >= 1
        ? Math.min(MAX_RESAMPLE, v.resample as number)
        : 1;
    return { ...(v as unknown as InfillSession), denoising, resample };
  } catch {
    return null;
  }
}
