/**
 * tessera infill --image FILE|--item ID --mask FILE --prompt TEXT [--style SET] [--seed N]
 *   [--feather PX] [sampling options] [--out FILE.png] [--board NAME]
 * tessera infill --image FILE|--item ID --keep-rows N [--prompt TEXT] …
 * The mask is an image: white where to regenerate, black where to keep. --keep-rows N instead
 * keeps the top N model rows and continues the picture below them (prefix completion, for
 * models whose manifest declares it). A file given with --image is imported into the library
 * first, so the result's lineage points at it.
 */
import { randomInt } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import type { ModelManifest } from '../../common/model-manifest.ts';
import { prefixCompletionMask, prefixRows } from '../../common/prefix-completion.ts';
import { jobDetailsSchema, type InfillJob } from '../../common/queue-contract.ts';
import { importFile } from '../../library/import-files.ts';
import { writeFileAtomic } from '../../media/atomic-write.ts';
import {
  readImageFile,
  readImageSize,
  toMask,
  toModelMask,
  toModelRgb,
} from '../../media/load-image.ts';
import { resolveModel } from '../../models/installed.ts';
import type { CommandContext } from '../context.ts';
import { CliError } from '../errors.ts';
import { boardOption, jobOutcomeItem } from '../library-items.ts';
import {
  numberOption,
  outOption,
  promptOption,
  providerOption,
  samplingFromOptions,
  diffusionFromOptions,
  styleOption,
  type Values,
} from '../options.ts';
import { runJobs } from '../run-jobs.ts';

/** --keep-rows N: the prefix-completion mask, for models that declare prefix completion. */
function keepRowsMask(manifest: ModelManifest, raw: Values[string]): Uint8Array {
  if (!manifest.capabilities.prefixCompletion)
    throw new CliError(
      `${manifest.id} cannot continue a picture from the top: paint a --mask instead, or use a jpeg-lm model`,
      2,
    );
  const layout = {
    width: manifest.image.width,
    height: manifest.image.height,
    rowHeight: manifest.image.patch ?? manifest.image.height,
  };
  const rows = prefixRows(layout);
  const keep = typeof raw === 'string' ? Number(raw) : Number.NaN;
  if (!Number.isInteger(keep) || keep < 1 || keep >= rows)
    throw new CliError(`--keep-rows must be a whole number from 1 to ${rows - 1}`, 2);
  return prefixCompletionMask(layout, keep);
}

/** The library item to infill: --item ID, or --image FILE imported (or found) by content. */
async function parentOf(ctx: CommandContext, values: Values): Promise<number> {
  if (typeof values.item === 'string') {
    const id = Number(values.item);
    if (!Number.isInteger(id) || id <= 0 || ctx.library().getItem(id) === null)
      throw new CliError(
        `--item ${values.item} is not a library item (see \`tessera library list\`)`,
        2,
      );
    return id;
  }
  if (typeof values.image !== 'string')
    throw new CliError('--image FILE or --item ID is required', 2);
  const imported = await importFile(ctx.library(), values.image);
  if (imported.assetId === null)
    throw new CliError(`${values.image} ${imported.message ?? 'cannot be read'}`);
  return imported.assetId;
}

/** The size of the picture to infill, as shown (checked readable now, before any import). */
async function imageSizeOf(
  ctx: CommandContext,
  values: Values,
  modelSize: number,
): Promise<{ width: number; height: number }> {
  if (typeof values.image === 'string') {
    const bytes = await readImageFile(values.image);
    await toModelRgb(bytes, modelSize, values.image);
    return readImageSize(bytes, values.image);
  }
  const item = typeof values.item === 'string' ? ctx.library().getItem(Number(values.item)) : null;
  return item === null
    ? { width: modelSize, height: modelSize }
    : { width: item.width, height: item.height };
}

export async function infillCommand(ctx: CommandContext, values: Values): Promise<void> {
  const model = await resolveModel(ctx.home, values.model as string | undefined);
  const manifest = model.manifest;
  if (typeof values.mask !== 'string' && values['keep-rows'] === undefined)
    throw new CliError('--mask FILE (white = regenerate) or --keep-rows N is required', 2);
  if (typeof values.mask === 'string' && values['keep-rows'] !== undefined)
    throw new CliError('give either --mask or --keep-rows, not both', 2);
  // Continuing a picture needs no words; regenerating a painted region does.
  const prompt =
    values['keep-rows'] !== undefined && values.prompt === undefined ? '' : promptOption(values);
  const style = styleOption(values, manifest);
  if (values.decoding !== undefined || values.window !== undefined)
    throw new CliError(
      '--decoding and --window apply to generate; an infill decodes one token per run',
      2,
    );
  const sampling = diffusionFromOptions(
    values,
    manifest,
    samplingFromOptions(values, manifest),
    'infill',
  );
  const seed = numberOption(values, 'seed', randomInt(0, 2 ** 32), [0, 0xffffffff], true);
  const featherPx = numberOption(values, 'feather', 2, [0, 16]);
  const out = values.out === undefined ? null : outOption(values);
  const provider = providerOption(values);
  const threads = numberOption(values, 'threads', 2, [1, 64], true);
  // Check the picture before the mask, and both before anything lands in the library.
  const size = await imageSizeOf(ctx, values, manifest.image.width);
  const { width: modelWidth, height: modelHeight } = manifest.image;
  // An image larger than the model keeps its own resolution: its mask is read at that size, and
  // the model works on a region around it.
  const ownSize =
    typeof values.mask === 'string' && (size.width !== modelWidth || size.height !== modelHeight);
  const mask =
    typeof values.mask === 'string'
      ? ownSize
        ? await toMask(await readImageFile(values.mask), size.width, size.height, values.mask)
        : await toModelMask(await readImageFile(values.mask), modelWidth, values.mask)
      : keepRowsMask(manifest, values['keep-rows']);
  const painted = mask.reduce((a, b) => a + b, 0);
  if (painted === 0)
    throw new CliError(`${values.mask} is empty (all black): paint white where to regenerate`);
  if (painted === mask.length)
    throw new CliError(`${values.mask} covers the whole image: use \`tessera generate\` instead`);
  const parentId = await parentOf(ctx, values);
  const request: InfillJob = {
    kind: 'infill',
    modelId: manifest.id,
    provider,
    threads,
    prompt,
    style,
    seed,
    sampling,
    parentId,
    mask: Buffer.from(mask).toString('base64'),
    ...(ownSize ? { maskWidth: size.width, maskHeight: size.height } : {}),
    featherPx,
    boardId: boardOption(ctx, values),
  };
  const { id } = ctx.library().jobs.submit({ kind: 'infill', modelId: manifest.id, request });
  const [job] = await runJobs(ctx, [id], { label: () => 'infill' });
  const finished = job ?? ctx.library().jobs.get(id)!;
  const item = jobOutcomeItem(ctx, finished);
  const region = jobDetailsSchema.safeParse(finished.result ?? {}).data?.region ?? null;
  if (out !== null) await writeFileAtomic(out, await readFile(item.filePath!));
  if (ctx.json)
    ctx.print(
      JSON.stringify({
        out,
        item: item.id,
        parent: parentId,
        file: item.filePath,
        seed,
        model: manifest.id,
        maskedPixels: painted,
        size: { width: item.width, height: item.height },
        region,
      }),
    );
  else
    ctx.print(
      `${out ?? item.filePath}  item ${item.id} (infill of item ${parentId})  seed ${seed}  (${painted} of ${mask.length} pixels regenerated${region === null ? '' : `; worked on ${region.width}×${region.height} at ${region.x},${region.y} of ${item.width}×${item.height}`})`,
    );
}
