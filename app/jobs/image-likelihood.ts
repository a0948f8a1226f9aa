/**
 * An image's exact bits per dimension, from a model whose likelihood is exact (a JetFormer's
 * flow): one `score` run with no texts. The Library stores it with each generation such a model
 * makes and with any image the user measures, for the detail panel and the "most surprising
 * first" sort.
 */
import { TesseraError } from '../common/errors.ts';
import type { Provider } from '../common/inference-contract.ts';
import type { ModelManifest } from '../common/model-manifest.ts';
import type { InferenceClient } from '../inference/client.ts';

export const hasExactLikelihood = (manifest: ModelManifest) =>
  manifest.capabilities.likelihood === 'exact';

/**
 * `rgb`: the image at the model's own resolution. Throws (with what to do) when the model cannot
 * give an exact likelihood or the run does not return one.
 */
export async function exactBitsPerDim(
  client: Pick<InferenceClient, 'run'>,
  model: { dir: string; manifest: ModelManifest },
  rgb: Uint8Array,
  provider: Provider,
  threads: number,
): Promise<number> {
  if (!hasExactLikelihood(model.manifest))
    throw new TesseraError(
      'unsupported',
      `${model.manifest.id} cannot give an image's exact likelihood: choose a model whose likelihood is exact (a jetformer model)`,
    );
  const end = await client.run({
    task: 'score',
    modelDir: model.dir,
    provider,
    threads,
    imageRgb: Buffer.from(rgb.buffer, rgb.byteOffset, rgb.byteLength).toString('base64'),
    texts: [],
  });
  if (end.type === 'failed')
    throw new TesseraError(end.code, end.message, { retryable: end.retryable });
  const bits =
    end.type === 'completed' && end.result.task === 'score' ? end.result.bitsPerDim : NaN;
  if (bits === undefined || !Number.isFinite(bits))
    throw new TesseraError(
      'model-invalid',
      `${model.manifest.id} returned no exact likelihood for the image: re-export the model, or measure with another`,
    );
  return bits;
}
