/**
 * tessera generate --prompt TEXT [--negative TEXT] [--style SET] [--seed N] [--cfg X] [--temperature X]
 *   [--top-k N] [--top-p X] [--cdk] [--count N] [--best-of N] [--model ID]
 *   [--provider cpu|webgpu|cuda|dml|coreml] [--threads N] --out FILE.png
 * tessera generate --replay FILE.png [--out FILE.png]
 */
import { randomInt } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { basename, dirname, extname, join } from 'node:path';
import type { GenerateRequest, Sampling } from '../../common/inference-contract.ts';
import { recipeSchema } from '../../common/recipe.ts';
import { WordTokenizer, type WordTokenizerFile } from '../../inference/engine/tokenizers/word.ts';
import { readPngText } from '../../media/png.ts';
import type { CommandContext } from '../context.ts';
import { CliError } from '../errors.ts';
import { installedModels, resolveModel } from '../models.ts';
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
import { pngOf, writeOutcome, type ImageOutcome } from '../render-output.ts';

interface Candidate {
  codes: number[];
  rgb: Uint8Array;
  provider: ImageOutcome['provider'];
  imageIndex: number;
  score: number | null;
}

async function runOne(
  ctx: CommandContext,
  request: GenerateRequest,
  bar: ProgressBar,
): Promise<Candidate> {
  const end = await ctx.client.run(request, (e) => {
    if (e.type === 'progress') bar.update(e.done, e.total, e.unit, e.ratePerSecond);
    if (e.type === 'started' && e.notice !== null) ctx.warn(e.notice);
  });
  bar.done();
  if (end.type === 'failed') throw new CliError(end.message);
  if (end.type !== 'completed' || end.result.task !== 'generate')
    throw new CliError(`generation ended: ${end.type}`);
  return {
    codes: end.result.codes,
    rgb: new Uint8Array(Buffer.from(end.result.imageRgb, 'base64')),
    provider: end.provider,
    imageIndex: request.imageIndex,
    score: null,
  };
}

/** Per-token log p(prompt | image): the model's own judgement of how well an image fits. */
async function selfScore(
  ctx: CommandContext,
  base: GenerateRequest,
  c: Candidate,
): Promise<number> {
  const end = await ctx.client.run({
    task: 'score',
    modelDir: base.modelDir,
    provider: base.provider,
    threads: base.threads,
    imageRgb: Buffer.from(c.rgb).toString('base64'),
    texts: [base.prompt],
  });
  if (end.type !== 'completed' || end.result.task !== 'score')
    throw new CliError('scoring the candidates failed');
  return end.result.logProbs[0]! / end.result.tokens[0]!;
}

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
  const model = installedModels(ctx.home).find(
    (m) => m.manifest?.graphs.decoder?.sha256 === recipe.modelSha256,
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
  const c = await runOne(ctx, request, new ProgressBar('replay', ctx.json));
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
  const original = await readFile(file);
  const png =
    typeof values.out === 'string'
      ? await writeOutcome(outOption(values), outcome)
      : pngOf(outcome);
  const identical = Buffer.compare(png, original) === 0;
  if (ctx.json) ctx.print(JSON.stringify({ replayed: file, identical, out: values.out ?? null }));
  else
    ctx.print(
      identical ? `${file}: replayed, byte-identical` : `${file}: replayed, but the bytes differ`,
    );
  if (!identical) throw new CliError(`the replay of ${file} differs from the original`, 3);
}

export async function generateCommand(ctx: CommandContext, values: Values): Promise<void> {
  if (values.replay !== undefined) return replay(ctx, values);
  const model = resolveModel(ctx.home, values.model as string | undefined);
  const manifest = model.manifest;
  const prompt = promptOption(values);
  const negativePrompt = typeof values.negative === 'string' ? values.negative : '';
  if (negativePrompt.length > 2000) throw new CliError('--negative is over 2,000 characters', 2);
  const style = styleOption(values, manifest);
  const sampling: Sampling = samplingFromOptions(values, manifest);
  const seed = numberOption(values, 'seed', randomInt(0, 2 ** 32), [0, 0xffffffff], true);
  const count = numberOption(values, 'count', 1, [1, 64], true);
  const bestOf = numberOption(values, 'best-of', 1, [1, 16], true);
  const out = outOption(values);
  const base: GenerateRequest = {
    task: 'generate',
    modelDir: model.dir,
    provider: providerOption(values),
    threads: numberOption(values, 'threads', 2, [1, 64], true),
    prompt,
    style,
    seed,
    imageIndex: 0,
    sampling,
    negativePrompt,
    resumeFrom: null,
  };
  const unknown = unknownWords(model.dir, manifest.tokenizer.file, prompt);
  if (unknown.length > 0)
    ctx.warn(`words this model never saw (read as <unk>): ${unknown.join(', ')}`);
  const results = [];
  for (let i = 0; i < count; i++) {
    const candidates: Candidate[] = [];
    for (let j = 0; j < bestOf; j++) {
      const request = { ...base, imageIndex: i * bestOf + j };
      const c = await runOne(
        ctx,
        request,
        new ProgressBar(
          count * bestOf > 1 ? `image ${i * bestOf + j + 1}/${count * bestOf}` : 'generate',
          ctx.json,
        ),
      );
      if (bestOf > 1) c.score = await selfScore(ctx, base, c);
      candidates.push(c);
    }
    const best = candidates.reduce((a, b) =>
      (b.score ?? -Infinity) > (a.score ?? -Infinity) ? b : a,
    );
    const path = outPath(out, i, count);
    await writeOutcome(path, {
      task: 'generate',
      manifest,
      prompt,
      negativePrompt,
      style,
      seed,
      imageIndex: best.imageIndex,
      sampling,
      provider: best.provider,
      codes: best.codes,
      rgb: best.rgb,
      parent: null,
      selfScore: best.score === null ? null : { logProbPerToken: best.score, candidates: bestOf },
    });
    results.push({
      out: path,
      seed,
      imageIndex: best.imageIndex,
      provider: best.provider,
      scores: bestOf > 1 ? candidates.map((c) => c.score) : null,
    });
    if (!ctx.json)
      ctx.print(
        `${path}  seed ${seed}${best.imageIndex ? ` #${best.imageIndex}` : ''}${best.score !== null ? `  self-score ${best.score.toFixed(3)} (best of ${bestOf})` : ''}`,
      );
  }
  if (ctx.json) ctx.print(JSON.stringify({ model: manifest.id, prompt, results }));
}

/** Prompt words outside the model's vocabulary: they reach the model as <unk>. */
function unknownWords(dir: string, tokenizerFile: string, prompt: string): string[] {
  const file = JSON.parse(readFileSync(join(dir, tokenizerFile), 'utf8')) as WordTokenizerFile;
  return WordTokenizer.fromJson(file).unknownWords(prompt);
}
