/**
 * Turns a library item's stored recipe into a queued job that makes it again: the same model
 * (by decoder hash, not by name), prompt, seed, image index, sampling, style and provider; for
 * an infill, the same source image, mask and feather. Anything that would make the replay
 * differ is refused up front with what to do instead.
 */
import { TesseraError } from '../common/errors.ts';
import type { GenerateJob, InfillJob, ReplaySource } from '../common/queue-contract.ts';
import { identityGraph } from '../common/model-manifest.ts';
import type { Recipe } from '../common/recipe.ts';
import type { Gallery } from '../gallery/index.ts';
import { installedModels, ModelUnavailableError, resolveModel } from '../models/installed.ts';

export type ReplayRefusal =
  | 'not-found'
  | 'not-replayable'
  | 'model-not-installed'
  | 'model-changed'
  | 'model-unusable'
  | 'mask-missing'
  | 'source-missing';

export class ReplayRefusedError extends TesseraError<ReplayRefusal> {
  override readonly name = 'ReplayRefusedError';
}

export interface ReplayJob {
  kind: 'generate' | 'infill';
  /** the decoder hash: the queue resolves exactly that model, whatever its folder or name */
  modelId: string;
  request: GenerateJob | InfillJob;
}

const short = (sha: string) => sha.slice(0, 10);

/** The installed model whose decoder made `recipe`, or a refusal saying what to install. */
async function modelFor(home: string, id: number, recipe: Recipe) {
  const models = await installedModels(home);
  const hashOf = (m: (typeof models)[number]) =>
    m.manifest === null ? undefined : identityGraph(m.manifest)?.sha256;
  const same = models.find((m) => hashOf(m) === recipe.modelSha256);
  if (same?.manifest) {
    // The queue resolves the job's model the same way: what it refuses, refuse now.
    try {
      return (await resolveModel(home, recipe.modelSha256)).manifest;
    } catch (err) {
      if (err instanceof ModelUnavailableError)
        throw new ReplayRefusedError('model-unusable', err.message);
      throw err;
    }
  }
  const namesake = models.find((m) => (m.manifest?.id ?? m.claimedId) === recipe.modelId);
  const namesakeHash = namesake === undefined ? undefined : hashOf(namesake);
  if (namesakeHash !== undefined)
    throw new ReplayRefusedError(
      'model-changed',
      `item ${id} was made by ${recipe.modelId} with decoder ${short(recipe.modelSha256)}, but the installed ${recipe.modelId} has decoder ${short(namesakeHash)}: another version would not give the same image. Import the version that made it (Models › Import a model folder), then replay`,
    );
  throw new ReplayRefusedError(
    'model-not-installed',
    `item ${id} was made by ${recipe.modelId} (decoder ${short(recipe.modelSha256)}), which is not installed: import that model folder on the Models screen, then replay`,
  );
}

export async function replayJobFor(gallery: Gallery, home: string, id: number): Promise<ReplayJob> {
  const item = gallery.getItem(id);
  if (item === null) throw new ReplayRefusedError('not-found', `there is no library item ${id}`);
  const recipe = item.generation?.recipe;
  if (recipe === undefined)
    throw new ReplayRefusedError(
      'not-replayable',
      item.foreign !== null
        ? `item ${id} was made by another tool: only images Tessera generated carry a recipe it can replay (Reuse settings copies what it found)`
        : `item ${id} is a photo, not a generation: there is nothing to replay`,
    );
  const manifest = await modelFor(home, id, recipe);
  const replay: ReplaySource = {
    assetId: id,
    sha256: item.sha256,
    modelSha256: recipe.modelSha256,
    selfScore: recipe.selfScore,
  };
  const run = {
    modelId: recipe.modelSha256,
    provider: recipe.provider,
    threads: 2,
    prompt: recipe.prompt,
    style: recipe.style,
    seed: recipe.seed,
    sampling: recipe.sampling,
    boardId: null,
    replay,
  };
  if (recipe.task === 'generate')
    return {
      kind: 'generate',
      modelId: recipe.modelSha256,
      request: {
        kind: 'generate',
        ...run,
        negativePrompt: recipe.negativePrompt,
        imageIndex: recipe.imageIndex,
        bestOf: 1,
        // The document the original was given, or none: never a fresh retrieval.
        retrieval: recipe.retrieval === undefined ? 'off' : { document: recipe.retrieval.index },
      },
    };
  if (recipe.parent === null)
    throw new ReplayRefusedError(
      'not-replayable',
      `item ${id} is an infill whose recipe does not name the image it infilled: it cannot be replayed`,
    );
  const mask = await gallery.readMask(recipe.parent.maskSha256);
  if (mask === null)
    throw new ReplayRefusedError(
      'mask-missing',
      `the mask of item ${id} is not kept in this library (the infill was imported, or made before masks were kept): open it in Infill and paint the mask again`,
    );
  if ((await gallery.readImageBytes(recipe.parent.sha256)) === null)
    throw new ReplayRefusedError(
      'source-missing',
      `the image item ${id} was infilled from (sha256 ${recipe.parent.sha256.slice(0, 12)}…) is no longer in this library: import that image again, then replay`,
    );
  // An infill of a photo keeps its mask at the photo's own resolution (the recipe's size).
  const ownSize = recipe.parent.region !== undefined;
  const expected = ownSize
    ? recipe.width * recipe.height
    : manifest.image.width * manifest.image.height;
  if (mask.length !== expected)
    throw new ReplayRefusedError(
      'mask-missing',
      `the kept mask of item ${id} does not fit ${manifest.id} (${mask.length} pixels): paint the mask again`,
    );
  return {
    kind: 'infill',
    modelId: recipe.modelSha256,
    request: {
      kind: 'infill',
      ...run,
      sourceSha256: recipe.parent.sha256,
      mask: Buffer.from(mask).toString('base64'),
      ...(ownSize ? { maskWidth: recipe.width, maskHeight: recipe.height } : {}),
      featherPx: recipe.parent.featherPx,
    },
  };
}
