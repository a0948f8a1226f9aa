/**
 * Whether a model can decode in parallel (docs/models.md §Parallel decoding): a token family
 * whose decoder graph takes several new tokens per run after a KV cache. A graph exported with
 * a fixed sequence length of 1 cannot verify drafts; such a model decodes one token per run.
 * Janus-Pro's decoder is its `language_model` graph, fed embeddings rather than token ids.
 */
import type { Decoding, DRAFT_SOURCES, Sampling } from './inference-contract.ts';
import type { ModelManifest } from './model-manifest.ts';

type DraftSource = (typeof DRAFT_SOURCES)[number];

/** Each token family's decoder graph and the input that carries its new tokens. */
const TOKEN_FAMILIES: Readonly<Record<string, { graph: string; input: string }>> = {
  'vq-ar': { graph: 'decoder', input: 'input_ids' },
  'jpeg-lm': { graph: 'decoder', input: 'input_ids' },
  'janus-pro': { graph: 'language_model', input: 'inputs_embeds' },
};

/** Why `manifest`'s model cannot decode in parallel, or null if it can. */
export function parallelDecodingRefusal(manifest: ModelManifest): string | null {
  const family = TOKEN_FAMILIES[manifest.family];
  if (family === undefined) {
    return `${manifest.id} is a ${manifest.family} model; parallel decoding is for token families (${Object.keys(TOKEN_FAMILIES).join(', ')})`;
  }
  const decoder = manifest.graphs[family.graph];
  const ids = decoder?.inputs.find((i) => i.name === family.input);
  if (decoder?.kv === undefined || ids === undefined || ids.shape[1] === 1) {
    return `${manifest.id}'s ${family.graph} graph takes one new token per run, so it cannot check draft tokens; re-export it with a dynamic sequence length to decode in parallel`;
  }
  return null;
}

/**
 * The sampling a job should run with: parallel decoding kept where the model can do it, and
 * otherwise dropped with a notice saying why, so the job runs (and records) the plain loop.
 */
export function decodingFor(
  manifest: ModelManifest,
  sampling: Sampling,
): { sampling: Sampling; notice: string | null } {
  if (sampling.decoding === undefined) return { sampling, notice: null };
  const refusal = parallelDecodingRefusal(manifest);
  if (refusal === null) return { sampling, notice: null };
  const plain: Sampling = { ...sampling };
  delete plain.decoding;
  return { sampling: plain, notice: `${refusal}. Decoding one token per run instead.` };
}

/**
 * What each family decodes with unless told otherwise, chosen with `npm run bench:parallel`
 * (docs/models.md §Parallel decoding): the tree depth and the candidates at its first depths.
 */
export const DEFAULT_DECODING: Readonly<
  Record<string, { window: number; fanout: number[]; drafts?: DraftSource }>
> = {
  'vq-ar': { window: 6, fanout: [4, 4], drafts: 'lines-previous' },
  'jpeg-lm': { window: 4, fanout: [2] },
  // Its language model builds its own causal mask, so its drafts are one chain (fanout 1).
  'janus-pro': { window: 3, fanout: [1], drafts: 'lines-previous' },
};

/** Parallel decoding for a family, with its default window unless `window` is given. */
export function parallelDecoding(family: string, window?: number): Decoding {
  const d = DEFAULT_DECODING[family] ?? { window: 4, fanout: [1] };
  return {
    mode: 'parallel',
    window: window ?? d.window,
    fanout: [...d.fanout],
    ...(d.drafts === undefined ? {} : { drafts: d.drafts }),
  };
}

/** The engine's draft sources for a recorded decoding (absent = the first recorded behaviour). */
export function draftSources(decoding: Pick<Decoding, 'drafts'>): {
  lines: boolean;
  previous: boolean;
} {
  const on = decoding.drafts === 'lines-previous';
  return { lines: on, previous: on };
}
