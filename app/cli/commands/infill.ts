/**
 * tessera infill --image FILE --mask FILE --prompt TEXT [--style SET] [--seed N] [--feather PX]
 *   [sampling options] --out FILE.png
 * The mask is an image: white where to regenerate, black where to keep.
 */
import { randomInt } from 'node:crypto';
import { resolveModel } from '../models.ts';
import { CliError } from '../errors.ts';
import {
  numberOption,
  outOption,
  promptOption,
  providerOption,
  samplingFromOptions,
  styleOption,
  type Values,
} from '../options.ts';
import { ProgressBar } from '../progress.ts';
import { sha256, writeOutcome } from '../render-output.ts';
import { readImageFile, toModelMask, toModelRgb } from '../../media/load-image.ts';
import type { CommandContext } from '../context.ts';

export async function infillCommand(ctx: CommandContext, values: Values): Promise<void> {
  const model = resolveModel(ctx.home, values.model as string | undefined);
  const manifest = model.manifest;
  if (typeof values.image !== 'string') throw new CliError('--image FILE is required', 2);
  if (typeof values.mask !== 'string')
    throw new CliError('--mask FILE is required (white = regenerate)', 2);
  const prompt = promptOption(values);
  const style = styleOption(values, manifest);
  const sampling = samplingFromOptions(values, manifest);
  const seed = numberOption(values, 'seed', randomInt(0, 2 ** 32), [0, 0xffffffff], true);
  const featherPx = numberOption(values, 'feather', 2, [0, 16]);
  const out = outOption(values);
  const size = manifest.image.width;
  const imageBytes = await readImageFile(values.image);
  const rgb = await toModelRgb(imageBytes, size, values.image);
  const mask = await toModelMask(await readImageFile(values.mask), size, values.mask);
  const painted = mask.reduce((a, b) => a + b, 0);
  if (painted === 0)
    throw new CliError(`${values.mask} is empty (all black): paint white where to regenerate`);
  if (painted === mask.length)
    throw new CliError(`${values.mask} covers the whole image: use \`tessera generate\` instead`);
  const bar = new ProgressBar('infill', ctx.json);
  const end = await ctx.client.run({
    task: 'infill',
    modelDir: model.dir,
    provider: providerOption(values),
    threads: numberOption(values, 'threads', 2, [1, 64], true),
    prompt,
    style,
    seed,
    imageIndex: 0,
    sampling,
    imageRgb: Buffer.from(rgb).toString('base64'),
    mask: Buffer.from(mask).toString('base64'),
    featherPx,
  });
  bar.done();
  if (end.type === 'failed') throw new CliError(end.message);
  if (end.type !== 'completed' || end.result.task !== 'infill')
    throw new CliError(`infill ended: ${end.type}`);
  await writeOutcome(out, {
    task: 'infill',
    manifest,
    prompt,
    negativePrompt: '',
    style,
    seed,
    imageIndex: 0,
    sampling,
    provider: end.provider,
    codes: end.result.codes,
    rgb: new Uint8Array(Buffer.from(end.result.imageRgb, 'base64')),
    parent: { sha256: sha256(imageBytes), maskSha256: sha256(mask), featherPx },
    selfScore: null,
  });
  if (ctx.json) ctx.print(JSON.stringify({ out, seed, model: manifest.id, maskedPixels: painted }));
  else ctx.print(`${out}  seed ${seed}  (${painted} of ${mask.length} pixels regenerated)`);
}
