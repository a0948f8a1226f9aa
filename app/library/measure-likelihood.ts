/**
 * "Measure surprise": library items scored by a model whose likelihood is exact, each image as
 * the model sees it (fitted into its square on white, as captioning reads it), and its bits per
 * dimension stored in the library. Each item is saved as soon as it is measured, so an item that
 * cannot be read, or a model that fails half-way, loses nothing measured before it.
 */
import { describeError } from '../common/errors.ts';
import type { Provider } from '../common/inference-contract.ts';
import type { ModelManifest } from '../common/model-manifest.ts';
import { GalleryError, type Gallery } from '../gallery/index.ts';
import type { InferenceClient } from '../inference/client.ts';
import { exactBitsPerDim, hasExactLikelihood } from '../jobs/image-likelihood.ts';
import { toModelRgb } from '../media/load-image.ts';

export interface Measured {
  measured: { id: number; bitsPerDim: number }[];
  failed: { id: number; message: string }[];
}

export async function measureLikelihood(
  gallery: Gallery,
  client: Pick<InferenceClient, 'run'>,
  model: { dir: string; manifest: ModelManifest },
  ids: readonly number[],
  provider: Provider,
): Promise<Measured> {
  const m = model.manifest;
  if (!hasExactLikelihood(m))
    throw new GalleryError(
      'invalid',
      `${m.id} cannot give an image's exact likelihood: choose a model whose likelihood is exact (a jetformer model)`,
    );
  const out: Measured = { measured: [], failed: [] };
  for (const id of new Set(ids)) {
    try {
      const item = gallery.getItem(id);
      if (item === null)
        throw new GalleryError('not-found', `there is no library item ${id}: refresh the Library`);
      const bytes = await gallery.readImageBytes(item.sha256);
      if (bytes === null)
        throw new GalleryError(
          'not-found',
          `the file of item ${id} is gone (moved or deleted): find it again with a library scan`,
        );
      const rgb = await toModelRgb(bytes, m.image.width, `item ${id}`);
      const bitsPerDim = await exactBitsPerDim(client, model, rgb, provider, 2);
      gallery.setLikelihood(id, m.id, bitsPerDim);
      out.measured.push({ id, bitsPerDim });
    } catch (err) {
      out.failed.push({ id, message: describeError(err).message });
    }
  }
  return out;
}
