/**
 * The detail panel's recipe table as rows of label and value: every field a generation's
 * recipe keeps, in a fixed order, hashes shortened (the full value kept for a tooltip), and the
 * rows only some recipes have (a retrieval reference, an infill source, a replay, a score). Pure.
 */
import type { ItemDetailView } from '../../../app/common/contract.ts';
import { DIFFUSION_SAMPLER_LABELS, type Recipe } from '../../../app/common/recipe.ts';
import { formatNumber } from './format.ts';

export type RecipeValue =
  | { kind: 'text'; text: string }
  /** a placeholder such as "(none)" */
  | { kind: 'muted'; text: string }
  /** a hash shown by its first 12 characters */
  | { kind: 'hash'; hash: string }
  /** the memory document a generation was given */
  | { kind: 'reference'; text: string; title: string }
  /** an infill's source image; `outside` when it is a file that is not in the library */
  | { kind: 'source'; hash: string; outside: boolean };

export type RecipeRow = [label: string, value: RecipeValue];

const text = (v: string | number): RecipeValue => ({ kind: 'text', text: String(v) });
const hash = (h: string): RecipeValue => ({ kind: 'hash', hash: h });

/** A diffusion model's sampler (and an infill's resampling); none for token models. */
function denoisingRows(d: Recipe['sampling']['diffusion']): RecipeRow[] {
  if (d === undefined) return [];
  const rows: RecipeRow[] = [['Sampler', text(DIFFUSION_SAMPLER_LABELS[d.sampler])]];
  if (d.resample !== undefined && d.resample > 1) rows.push(['Resample', text(d.resample)]);
  return rows;
}

export function recipeRows(item: Pick<ItemDetailView, 'recipe' | 'parents'>): RecipeRow[] {
  const r = item.recipe;
  if (r === null) return [];
  const s = r.sampling;
  const rows: RecipeRow[] = [
    ['Task', text(r.task)],
    ['Model', text(r.modelId)],
    ['Model hash', hash(r.modelSha256)],
    ['Family', text(r.family)],
    ['Prompt', text(r.prompt)],
    [
      'Negative prompt',
      r.negativePrompt === '' ? { kind: 'muted', text: '(none)' } : text(r.negativePrompt),
    ],
    ['Style', r.style === null ? { kind: 'muted', text: '(any)' } : text(r.style)],
  ];
  if (r.retrieval !== undefined)
    rows.push([
      'Reference',
      {
        kind: 'reference',
        text: `${r.retrieval.caption} (${r.retrieval.set})`,
        title: `Memory document #${r.retrieval.index}`,
      },
    ]);
  rows.push(
    ['Seed', text(r.seed)],
    ['Batch index', text(r.imageIndex)],
    ['Guidance (CFG)', text(formatNumber(s.cfgScale))],
    ['Temperature', text(formatNumber(s.temperature))],
    ['Top-k', text(s.topK === 0 ? '0 (off)' : s.topK)],
    ['Top-p', text(formatNumber(s.topP))],
    ['CD-K', text(s.cdk === null ? 'off' : `α ${s.cdk.alpha}, k ${s.cdk.k}, τ ${s.cdk.tau}`)],
    ['Steps', text(r.steps)],
    ...denoisingRows(s.diffusion),
    ['Size', text(`${r.width}×${r.height}`)],
    ['Provider', text(r.provider)],
    ['PRNG', text(r.prngVersion)],
    ['Pipeline', text(r.pipelineVersion)],
    ['Tokens hash', hash(r.tokensSha256)],
  );
  if (r.parent !== null) {
    const inLibrary = item.parents.some((p) => p.op === 'infill');
    rows.push(['Infill source', { kind: 'source', hash: r.parent.sha256, outside: !inLibrary }]);
    rows.push(['Infill feather', text(`${r.parent.featherPx} px`)]);
  }
  if (r.replayOf !== undefined) rows.push(['Replay of', hash(r.replayOf)]);
  if (r.selfScore !== null)
    rows.push([
      'Self-caption score',
      text(
        `${formatNumber(r.selfScore.logProbPerToken)} log p/token (best of ${r.selfScore.candidates})`,
      ),
    ]);
  return rows;
}
