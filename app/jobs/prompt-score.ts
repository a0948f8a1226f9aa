/**
 * The model's own score of a prompt for an image it made: log p(prompt | image) per prompt
 * token, by the model's likelihood head. What Compare shows beside each model's result (the
 * `tessera compare` sheet and the studio's Compare view), so one model's figure reads the same
 * in both.
 */
import sharp from 'sharp';
import type { Provider } from '../common/inference-contract.ts';
import { canScoreTexts, type ModelManifest } from '../common/model-manifest.ts';
import type { InferenceClient } from '../inference/client.ts';

/**
 * `image`: the PNG the model made, at its own size. Null where the model cannot caption (the
 * score is its caption head's log p(text | image), whatever its manifest says of the image's own
 * likelihood: a diffusion model has none and still scores texts), or the run did not complete.
 */
export async function promptSelfScore(
  client: Pick<InferenceClient, 'run'>,
  model: { dir: string; manifest: ModelManifest },
  image: Buffer,
  prompt: string,
  provider: Provider,
): Promise<number | null> {
  if (!canScoreTexts(model.manifest.capabilities)) return null;
  const rgb = await sharp(image).removeAlpha().raw().toBuffer();
  const end = await client.run({
    task: 'score',
    modelDir: model.dir,
    provider,
    threads: 2,
    imageRgb: rgb.toString('base64'),
    texts: [prompt],
  });
  if (end.type !== 'completed' || end.result.task !== 'score') return null;
  return end.result.logProbs[0]! / end.result.tokens[0]!;
}
