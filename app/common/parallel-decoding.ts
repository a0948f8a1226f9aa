/**
 * Whether a model can decode in parallel (docs/models.md §Parallel decoding): a token family
 * whose decoder graph takes several new tokens per run after a KV cache. A graph exported with
 * a fixed sequence length of 1 cannot verify drafts; such a model decodes one token per run.
 */
import type { Decoding, Sampling } from './inference-contract.ts';
import type { ModelManifest } from './model-manifest.ts';

const TOKEN_FAMILIES: readonly string[] = ['vq-ar', 'jpeg-lm'];

/** Why `manifest`'s model cannot decode in parallel, or null if it can. */
export function parallelDecodingRefusal(manifest: ModelManifest): string | null {
  if (!TOKEN_FAMILIES.includes(manifest.family)) {
    return `${manifest.id} is a ${manifest.family} model; parallel decoding is for token families (vq-ar, jpeg-lm)`;
  }
  const decoder = manifest.graphs.decoder;
  const ids = decoder?.inputs.find((i) => i.name === 'input_ids');
  if (decoder?.kv === undefined || ids === undefined || ids.shape[1] === 1) {
    return `${manifest.id}'s decoder graph takes one new token per run, so it cannot check draft tokens; re-export it with a dynamic sequence length to decode in parallel`;
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

/** The window each family decodes with unless told otherwise (chosen by bench:parallel). */
export const DEFAULT_WINDOW: Readonly<Record<string, number>> = { 'vq-ar': 8, 'jpeg-lm': 8 };

export function parallelDecoding(family: string, window?: number): Decoding {
  return { mode: 'parallel', window: window ?? DEFAULT_WINDOW[family] ?? 8 };
}
