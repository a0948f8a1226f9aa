/**
 * tessera caption FILE... [--json]
 * tessera caption --folder DIR [--recursive] [--include-hidden] [--write-xmp] [--retry-failed]
 * tessera score --image FILE [--text TEXT ...]   (no text: the exact bits per dimension)
 */
import { resolve } from 'node:path';
import type { CaptionFolderJob } from '../../common/queue-contract.ts';
import { runJobs } from '../run-jobs.ts';
import { resolveModel } from '../../models/installed.ts';
import { CliError } from '../errors.ts';
import { numberOption, providerOption, type Values } from '../options.ts';
import { readImageFile, toModelRgb } from '../../media/load-image.ts';
import type { CommandContext } from '../context.ts';

const EMOJI_ONLY_NOTE =
  'note: this model was trained on emoji only; it describes emoji-like pictures and is not expected to describe photos well';

export async function captionCommand(
  ctx: CommandContext,
  values: Values,
  files: string[],
): Promise<void> {
  if (typeof values.folder === 'string') {
    if (files.length > 0)
      throw new CliError('give either --folder DIR or image files, not both', 2);
    return captionFolderCommand(ctx, values, values.folder);
  }
  if (files.length === 0)
    throw new CliError('name at least one image file, or --folder DIR: tessera caption FILE...', 2);
  const model = await resolveModel(ctx.home, values.model as string | undefined);
  const size = model.manifest.image.width;
  if (model.manifest.id.includes('emoji') && !ctx.json) ctx.warn(EMOJI_ONLY_NOTE);
  // Greedy unless a temperature is given; then sampled, reproducibly from --seed.
  const sampling =
    values.temperature === undefined
      ? null
      : {
          temperature: numberOption(values, 'temperature', 1, [0.01, 5]),
          topP: numberOption(values, 'top-p', 0.9, [0.01, 1]),
          seed: numberOption(values, 'seed', 0, [0, 0xffffffff], true),
        };
  let failures = 0;
  for (const file of files) {
    try {
      const rgb = await toModelRgb(await readImageFile(file), size, file);
      const end = await ctx.client.run({
        task: 'caption',
        modelDir: model.dir,
        provider: providerOption(values),
        threads: numberOption(values, 'threads', 2, [1, 64], true),
        imageRgb: Buffer.from(rgb).toString('base64'),
        sampling,
      });
      if (end.type !== 'completed' || end.result.task !== 'caption')
        throw new Error(end.type === 'failed' ? end.message : end.type);
      ctx.print(
        ctx.json
          ? JSON.stringify({ file, caption: end.result.caption, model: model.manifest.id })
          : `${file}\t${end.result.caption}`,
      );
    } catch (err) {
      failures++;
      const message = err instanceof Error ? err.message : String(err);
      ctx.print(ctx.json ? JSON.stringify({ file, error: message }) : `${file}\terror: ${message}`);
    }
  }
  if (failures > 0)
    throw new CliError(`${failures} of ${files.length} file(s) could not be captioned`);
}

export async function scoreCommand(
  ctx: CommandContext,
  values: Values,
  texts: string[],
): Promise<void> {
  if (typeof values.image !== 'string') throw new CliError('--image FILE is required', 2);
  const model = await resolveModel(ctx.home, values.model as string | undefined);
  const exact = model.manifest.capabilities.likelihood === 'exact';
  if (texts.length === 0 && !exact)
    throw new CliError(
      `--text TEXT is required (repeat it to score several); ${model.manifest.id} cannot give an image's exact likelihood alone`,
      2,
    );
  const rgb = await toModelRgb(
    await readImageFile(values.image),
    model.manifest.image.width,
    values.image,
  );
  const end = await ctx.client.run({
    task: 'score',
    modelDir: model.dir,
    provider: providerOption(values),
    threads: numberOption(values, 'threads', 2, [1, 64], true),
    imageRgb: Buffer.from(rgb).toString('base64'),
    texts,
  });
  if (end.type === 'failed') throw new CliError(end.message);
  if (end.type !== 'completed' || end.result.task !== 'score')
    throw new CliError(`scoring ended: ${end.type}`);
  const rows = texts.map((text, i) => ({
    text,
    logProb: end.result.task === 'score' ? end.result.logProbs[i]! : 0,
    perToken: end.result.task === 'score' ? end.result.logProbs[i]! / end.result.tokens[i]! : 0,
  }));
  const bits = end.result.task === 'score' ? end.result.bitsPerDim : undefined;
  if (ctx.json)
    ctx.print(
      JSON.stringify({
        image: values.image,
        model: model.manifest.id,
        scores: rows,
        ...(bits === undefined ? {} : { bitsPerDim: bits }),
      }),
    );
  else {
    if (bits !== undefined) ctx.print(`${bits.toFixed(4)}\tbits per dimension (exact)`);
    for (const r of rows)
      ctx.print(`${r.logProb.toFixed(3)}\t${r.perToken.toFixed(3)}/token\t${r.text}`);
  }
}

/** Captions a whole folder as a persistent job; rerunning it resumes (done files are skipped). */
async function captionFolderCommand(ctx: CommandContext, values: Values, folder: string) {
  const model = await resolveModel(ctx.home, values.model as string | undefined);
  const request: CaptionFolderJob = {
    kind: 'caption-folder',
    modelId: model.manifest.id,
    provider: providerOption(values),
    threads: numberOption(values, 'threads', 2, [1, 64], true),
    folder: resolve(folder),
    recursive: values.recursive === true,
    includeHidden: values['include-hidden'] === true,
    writeXmp: values['write-xmp'] === true,
    retryFailed: values['retry-failed'] === true,
  };
  const jobs = ctx.library().jobs;
  // The same request left unfinished (paused, interrupted by a crash): carry on with it.
  const same = jobs
    .list({ statuses: ['queued', 'paused', 'interrupted'], limit: 1000 })
    .find(
      (j) => j.kind === 'caption-folder' && JSON.stringify(j.request) === JSON.stringify(request),
    );
  if (same?.status === 'paused') jobs.resume(same.id);
  const jobId =
    same?.id ?? jobs.submit({ kind: 'caption-folder', modelId: model.manifest.id, request }).id;
  const [job] = await runJobs(ctx, [jobId], {
    label: () => 'caption',
    onEvent: (e) => {
      if (e.type !== 'file') return;
      const detail = e.caption ?? '';
      const note = e.message === null ? '' : `${detail ? '  ' : ''}(${e.message})`;
      ctx.print(ctx.json ? JSON.stringify(e) : `${e.path}\t${e.status}\t${detail}${note}`);
    },
  });
  const final = job ?? jobs.get(jobId)!;
  if (final.status === 'paused') {
    ctx.warn(
      `paused: run the same command again, or \`tessera jobs resume ${final.id}\`, to continue`,
    );
    return;
  }
  if (final.status !== 'completed')
    throw new CliError(final.error?.message ?? `the captioning job ended ${final.status}`);
  const result = final.result as Record<string, unknown>;
  if (ctx.json) ctx.print(JSON.stringify({ job: final.id, ...result }));
  else {
    const summary = String(result.summary ?? '');
    ctx.print(summary === '' ? JSON.stringify(result) : summary);
  }
}
