/**
 * tessera generate --prompt TEXT [--negative TEXT] [--style SET] [--seed N] [--cfg X] [--temperature X]
 *   [--top-k N] [--top-p X] [--cdk] [--count N] [--best-of N] [--model ID]
 *   [--decoding plain|parallel [--window N]] [--steps N] [--sampler NAME]
 *   [--provider cpu|webgpu|cuda|dml|coreml] [--threads N] --out FILE.png
 * tessera generate --replay FILE.png [--out FILE.png]
 */
import { randomInt, randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { basename, dirname, extname, join } from 'node:path';
import sharp from 'sharp';
import type { GenerateRequest, Sampling } from '../../common/inference-contract.ts';
import { identityGraph } from '../../common/model-manifest.ts';
import { jobDetailsSchema, type GenerateJob } from '../../common/queue-contract.ts';
import { recipeSchema, type Recipe } from '../../common/recipe.ts';
import { WordTokenizer, type WordTokenizerFile } from '../../inference/engine/tokenizers/word.ts';
import { readPngText } from '../../media/png.ts';
import type { CommandContext } from '../context.ts';
import { CliError } from '../errors.ts';
import { installedModels, resolveModel } from '../../models/installed.ts';
import {
  decodingOption,
  diffusionFromOptions,
  numberOption,
  outOption,
  promptOption,
  providerOption,
  samplingFromOptions,
  styleOption,
  type Values,
} from '../options.ts';
import { ProgressBar } from '../progress.ts';
import { runJobs } from '../run-jobs.ts';
import { boardOption, jobOutcomeItem } from '../library-items.ts';
import { writeFileAtomic } from '../../media/atomic-write.ts';
import {
  generationPng,
  pngOf,
  sha256,
  writeOutcome,
  type ImageOutcome,
} from '../../jobs/outcome-png.ts';

function outPath(out: string, index: number, count: number): string {
  if (count === 1) return out;
  const ext = extname(out);
  return join(dirname(out), `${basename(out, ext)}-${index}${ext}`);
}

async function replay(ctx: CommandContext, values: Values): Promise<void> {
  const file = String(values.replay);
  let recipeText: string | undefined;
  try {
    recipeText = readPngText(await readFile(file)).tessera;
  } catch (err) {
    throw new CliError(
      `${file} cannot be replayed: ${err instanceof Error ? err.message : String(err)}`,
    );
  }
  if (recipeText === undefined)
    throw new CliError(
      `${file} carries no Tessera recipe (no iTXt "tessera" chunk) and cannot be replayed`,
    );
  const parsed = recipeSchema.safeParse(JSON.parse(recipeText));
  if (!parsed.success)
    throw new CliError(`${file} has a recipe this version of Tessera cannot read`);
  const recipe = parsed.data;
  if (recipe.task !== 'generate')
    throw new CliError(
      `${file} is an ${recipe.task} result; only generations replay from the file alone`,
    );
  const model = (await installedModels(ctx.home)).find(
    (m) => m.manifest != null && identityGraph(m.manifest)?.sha256 === recipe.modelSha256,
  );
  if (model === undefined || model.manifest === null) {
    throw new CliError(
      `the model that made ${file} (${recipe.modelId}, hash ${recipe.modelSha256.slice(0, 10)}) is not installed`,
    );
  }
  const request: GenerateRequest = {
    task: 'generate',
    modelDir: model.dir,
    provider: recipe.provider,
    threads: numberOption(values, 'threads', 2, [1, 64], true),
    prompt: recipe.prompt,
    style: recipe.style,
    seed: recipe.seed,
    imageIndex: recipe.imageIndex,
    sampling: recipe.sampling,
    negativePrompt: recipe.negativePrompt,
    resumeFrom: null,
  };
  const bar = new ProgressBar('replay', ctx.json);
  const end = await ctx.client.run(request, (e) => {
    if (e.type === 'progress') bar.update(e.done, e.total, e.unit, e.ratePerSecond);
  });
  bar.done();
  if (end.type === 'failed') throw new CliError(end.message);
  if (end.type !== 'completed' || end.result.task !== 'generate')
    throw new CliError(`the replay ended: ${end.type}`);
  const c = {
    codes: end.result.codes,
    rgb: new Uint8Array(Buffer.from(end.result.imageRgb, 'base64')),
    provider: end.provider,
  };
  const outcome: ImageOutcome = {
    task: 'generate',
    manifest: model.manifest,
    prompt: recipe.prompt,
    negativePrompt: recipe.negativePrompt,
    style: recipe.style,
    seed: recipe.seed,
    imageIndex: recipe.imageIndex,
    sampling: recipe.sampling,
    provider: c.provider,
    codes: c.codes,
    rgb: c.rgb,
    parent: null,
    selfScore: recipe.selfScore,
  };
  const png =
    typeof values.out === 'string'
      ? await writeOutcome(outOption(values), outcome)
      : pngOf(outcome);
  // The file may have been tagged since it was generated (an export adds an XMP packet): the
  // replay is compared with the generation its recipe and pixels describe, by hash.
  const original = await originalGeneration(file, recipe);
  const identical = original !== null && sha256(png) === sha256(original);
  const tagged = identical && sha256(await readFile(file)) !== sha256(original);
  if (ctx.json)
    ctx.print(
      JSON.stringify({
        replayed: file,
        identical,
        originalSha256: original === null ? null : sha256(original),
        out: values.out ?? null,
      }),
    );
  else
    ctx.print(
      identical
        ? `${file}: replayed, byte-identical to the original generation${tagged ? ' (the file itself carries metadata added since, such as an exported XMP packet)' : ''}`
        : `${file}: replayed, but the bytes differ`,
    );
  if (!identical) throw new CliError(`the replay of ${file} differs from the original`, 3);
}

/** The PNG Tessera wrote for `recipe` with the file's pixels; null if they cannot be read. */
async function originalGeneration(file: string, recipe: Recipe): Promise<Buffer | null> {
  try {
    const { data, info } = await sharp(file).raw().toBuffer({ resolveWithObject: true });
    if (info.channels !== 3 || info.width !== recipe.width || info.height !== recipe.height)
      return null;
    return generationPng(recipe, data);
  } catch {
    return null;
  }
}

export async function generateCommand(ctx: CommandContext, values: Values): Promise<void> {
  if (values.replay !== undefined) return replay(ctx, values);
  const model = await resolveModel(ctx.home, values.model as string | undefined);
  const manifest = model.manifest;
  const prompt = promptOption(values);
  const negativePrompt = typeof values.negative === 'string' ? values.negative : '';
  if (negativePrompt.length > 2000) throw new CliError('--negative is over 2,000 characters', 2);
  const style = styleOption(values, manifest);
  const decoding = decodingOption(values, manifest, (m) => ctx.warn(m));
  const sampling: Sampling = diffusionFromOptions(
    values,
    manifest,
    {
      ...samplingFromOptions(values, manifest),
      ...(decoding === undefined ? {} : { decoding }),
    },
    'generate',
  );
  const seed = numberOption(values, 'seed', randomInt(0, 2 ** 32), [0, 0xffffffff], true);
  const count = numberOption(values, 'count', 1, [1, 64], true);
  const bestOf = numberOption(values, 'best-of', manifest.sampling.defaults.bestOf, [1, 16], true);
  const out = values.out === undefined ? null : outOption(values);
  // Only a word tokenizer has words it never saw; a BPE reads any text.
  const unknown =
    manifest.tokenizer.kind === 'word'
      ? unknownWords(model.dir, manifest.tokenizer.file, prompt)
      : [];
  if (unknown.length > 0)
    ctx.warn(`words this model never saw (read as <unk>): ${unknown.join(', ')}`);
  const jobs = ctx.library().jobs;
  const batchId = randomUUID();
  const submitted = Array.from({ length: count }, (_, i) => {
    const request: GenerateJob = {
      kind: 'generate',
      modelId: manifest.id,
      provider: providerOption(values),
      threads: numberOption(values, 'threads', 2, [1, 64], true),
      prompt,
      negativePrompt,
      style,
      seed,
      imageIndex: i * bestOf,
      bestOf,
      sampling,
      boardId: boardOption(ctx, values),
    };
    return jobs.submit({ kind: 'generate', modelId: manifest.id, request, batchId }).id;
  });
  const finished = await runJobs(ctx, submitted, {
    label: (job) => (count > 1 ? `image ${submitted.indexOf(job.id) + 1}/${count}` : 'generate'),
  });
  const results = [];
  for (const [i, id] of submitted.entries()) {
    const job = finished.find((j) => j.id === id) ?? jobs.get(id)!;
    const item = jobOutcomeItem(ctx, job);
    const path = out === null ? null : outPath(out, i, count);
    if (path !== null) await writeFileAtomic(path, await readFile(item.filePath!));
    const recipe = item.generation!.recipe;
    const scores = (job.result as { scores?: (number | null)[] } | null)?.scores ?? null;
    const already = jobDetailsSchema.safeParse(job.result ?? {}).data?.alreadyInLibrary;
    results.push({
      out: path,
      item: item.id,
      file: item.filePath,
      seed,
      imageIndex: recipe.imageIndex,
      provider: recipe.provider,
      scores: bestOf > 1 ? scores : null,
      job: id,
      alreadyInLibrary: already !== undefined,
    });
    if (!ctx.json) {
      const score = recipe.selfScore;
      ctx.print(
        `${path ?? item.filePath}  item ${item.id}  seed ${seed}${recipe.imageIndex ? ` #${recipe.imageIndex}` : ''}${score !== null ? `  self-score ${score.logProbPerToken.toFixed(3)} (best of ${score.candidates})` : ''}${already !== undefined ? '  (already in the library: the same image)' : ''}`,
      );
    }
  }
  if (ctx.json) ctx.print(JSON.stringify({ model: manifest.id, prompt, results }));
}

/** Prompt words outside the model's vocabulary: they reach the model as <unk>. */
function unknownWords(dir: string, tokenizerFile: string, prompt: string): string[] {
  const file = JSON.parse(readFileSync(join(dir, tokenizerFile), 'utf8')) as WordTokenizerFile;
  return WordTokenizer.fromJson(file).unknownWords(prompt);
}
