/**
 * Parallel (speculative Jacobi) decoding against the plain loop, side by side in one run on one
 * machine, for each shipped token family and the tiny Janus-Pro test model: decoder runs per
 * image, tokens per image, wall time per image, and their ratios parallel ÷ plain (goal: runs
 * ≤ 0.5). Images alternate plain / parallel so both see the same machine load. The same
 * prompts and seeds serve both; the modes draw different images from a seed, so per-image
 * figures are means over all images (and, for jpeg-lm, whose bodies vary in length, also per
 * token).
 *
 *   node --import tsx bench/parallel-decoding.ts [--images N] [--jpeg-images N]
 *     [--janus-images N] [--threads N] [--families vq-ar,jpeg-lm,janus-pro]
 *     [--prompts FILE] vq-ar on these test items (native-models' `parallel_quality prompts`
 *                 writes them: caption, set, and the item index as the seed, as the
 *                 evaluator samples) instead of six fixed prompts
 *     [--sweep]   also try other windows, fanouts and draft sources (what the defaults were
 *                 chosen from)
 *
 * Janus-Pro runs the tiny random model the tests build (families/janus-pro/testing), at its
 * manifest's guidance and also without guidance: a random model's acceptance says how far its
 * code distributions move with the code before, not what a trained model would reach.
 */
import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import type { Decoding } from '../app/common/inference-contract.ts';
import { parallelDecoding } from '../app/common/parallel-decoding.ts';
import type { SamplingSettings } from '../app/inference/engine/logits/sample.ts';
import { generateCodes as generateJanusCodes } from '../app/inference/families/janus-pro/generate.ts';
import { JanusModel } from '../app/inference/families/janus-pro/model.ts';
import { tinyJanusDir } from '../app/inference/families/janus-pro/testing/tiny-model.ts';
import { runMcus } from '../app/inference/families/jpeg-lm/loop.ts';
import { JpegLmModel } from '../app/inference/families/jpeg-lm/model.ts';
import { generateCodes } from '../app/inference/families/vq-ar/generate.ts';
import { VqArModel } from '../app/inference/families/vq-ar/model.ts';
import { shippedModelDir } from '../app/models/testing/shipped-models.ts';

const { values } = parseArgs({
  options: {
    images: { type: 'string' },
    'jpeg-images': { type: 'string' },
    'janus-images': { type: 'string' },
    threads: { type: 'string' },
    families: { type: 'string' },
    prompts: { type: 'string' },
    sweep: { type: 'boolean' },
  },
});
const IMAGES = Number(values.images ?? 24);
const JPEG_IMAGES = Number(values['jpeg-images'] ?? 6);
const JANUS_IMAGES = Number(values['janus-images'] ?? 24);
const FAMILIES = (values.families ?? 'vq-ar,jpeg-lm,janus-pro').split(',');
const THREADS = Number(values.threads ?? 2);
const PROMPTS = ['red heart', 'grinning face', 'rocket', 'blue car', 'smiling cat', 'pizza'];

interface Tally {
  runs: number;
  tokens: number;
  ms: number;
  drafted: number;
  accepted: number;
}
type Stats = { runs: number; drafted: number; accepted: number };
/** A test item as native-models' parallel_quality writes it. */
interface TestItem {
  index: number;
  caption: string;
  set: string;
}
/** One image: its token count; fills `stats`. */
type Sample = (i: number, decoding: Decoding | undefined, stats: Stats) => Promise<number>;

const empty = (): Tally => ({ runs: 0, tokens: 0, ms: 0, drafted: 0, accepted: 0 });

async function compare(images: number, sample: Sample, modes: Decoding[]): Promise<Tally[]> {
  const tallies = [empty(), ...modes.map(empty)];
  const all: (Decoding | undefined)[] = [undefined, ...modes];
  for (let i = 0; i < images; i++) {
    for (const [m, decoding] of all.entries()) {
      const stats = { runs: 0, drafted: 0, accepted: 0 };
      const t = performance.now();
      const tokens = await sample(i, decoding, stats);
      const tally = tallies[m]!;
      tally.ms += performance.now() - t;
      tally.tokens += tokens;
      tally.runs += stats.runs;
      tally.drafted += stats.drafted;
      tally.accepted += stats.accepted;
    }
  }
  return tallies;
}

const f1 = (x: number) => x.toFixed(1);
const f2 = (x: number) => x.toFixed(2);

function report(family: string, images: number, modes: Decoding[], tallies: Tally[]): void {
  const [plain] = tallies as [Tally];
  console.log(`\n${family}: ${images} images, ${THREADS} thread(s), same prompts and seeds`);
  console.log(
    'mode (parallel: window, fanout, drafts)  runs/img  tokens/img  ms/img   runs ratio  runs/token ratio  time ratio  accepted',
  );
  const row = (label: string, t: Tally) =>
    console.log(
      [
        label.padEnd(40),
        f1(t.runs / images).padStart(8),
        f1(t.tokens / images).padStart(11),
        f1(t.ms / images).padStart(7),
        f2(t.runs / plain.runs).padStart(12),
        f2(t.runs / t.tokens / (plain.runs / plain.tokens)).padStart(18),
        f2(t.ms / plain.ms).padStart(11),
        (t.drafted === 0 ? '-' : `${f2(t.accepted / t.drafted)}`).padStart(10),
      ].join(' '),
    );
  row('plain (one token per run)', plain);
  modes.forEach((d, m) =>
    row(
      `window ${d.window} fanout ${(d.fanout ?? [1]).join('/')} ${d.drafts ?? 'jacobi'}`,
      tallies[m + 1]!,
    ),
  );
}

function modesFor(family: string, sweep: boolean): Decoding[] {
  const chosen = parallelDecoding(family);
  if (!sweep) return [chosen];
  if (family === 'janus-pro')
    return [
      chosen,
      ...[2, 4, 6].map((window): Decoding => ({ mode: 'parallel', window, fanout: [1] })),
      ...[3, 6].map((window): Decoding => ({
        mode: 'parallel',
        window,
        fanout: [1],
        drafts: 'lines-previous',
      })),
    ];
  const extra: Decoding[] = [
    { mode: 'parallel', window: 6, fanout: [2] },
    { mode: 'parallel', window: 6, fanout: [4, 4], drafts: 'jacobi' },
    { mode: 'parallel', window: 6, fanout: [4, 2], drafts: 'lines-previous' },
    { mode: 'parallel', window: 5, fanout: [4, 2], drafts: 'lines-previous' },
  ];
  return [chosen, ...extra];
}

async function vqAr(): Promise<void> {
  const model = await VqArModel.load(shippedModelDir('vq-ar'), {
    provider: 'cpu',
    threads: THREADS,
  });
  const d = model.manifest.sampling.defaults;
  const settings: SamplingSettings = {
    cfgScale: d.cfgScale,
    temperature: d.temperature,
    topK: d.topK,
    topP: d.topP,
    cdk: null,
  };
  const modes = modesFor('vq-ar', values.sweep === true);
  const items =
    values.prompts === undefined
      ? null
      : (JSON.parse(readFileSync(values.prompts, 'utf8')) as TestItem[]).slice(0, IMAGES);
  const images = items?.length ?? IMAGES;
  const tallies = await compare(
    images,
    async (i, decoding, stats) =>
      (
        await generateCodes(model, {
          promptIds:
            items === null
              ? model.promptIds(PROMPTS[i % PROMPTS.length]!, null)
              : model.promptIds(items[i]!.caption, items[i]!.set),
          seed: items === null ? 1000 + i : items[i]!.index,
          imageIndex: 0,
          settings,
          stats,
          ...(decoding === undefined ? {} : { decoding }),
        })
      ).length,
    modes,
  );
  report(
    `vq-ar (${model.manifest.id}, cfg ${settings.cfgScale}, top-p ${settings.topP}, ${items === null ? 'bench prompts' : `the first ${images} items of ${values.prompts}`})`,
    images,
    modes,
    tallies,
  );
  await model.release();
}

async function jpegLm(): Promise<void> {
  const model = await JpegLmModel.load(shippedModelDir('jpeg-lm'), {
    provider: 'cpu',
    threads: THREADS,
  });
  const d = model.manifest.sampling.defaults;
  const settings: SamplingSettings = {
    cfgScale: d.cfgScale,
    temperature: d.temperature,
    topK: d.topK,
    topP: d.topP,
    cdk: null,
  };
  const modes = modesFor('jpeg-lm', values.sweep === true).slice(0, values.sweep ? 2 : 1);
  const tallies = await compare(
    JPEG_IMAGES,
    async (i, decoding, stats) =>
      (
        await runMcus(model, {
          captionIds: model.promptIds(PROMPTS[i % PROMPTS.length]!, null),
          known: new Array<null>(model.jpeg.mcus).fill(null),
          seed: 1000 + i,
          imageIndex: 0,
          settings,
          stats,
          ...(decoding === undefined ? {} : { decoding }),
        })
      ).body.length,
    modes,
  );
  report(
    `jpeg-lm (${model.manifest.id}, cfg ${settings.cfgScale}, top-k ${settings.topK}, top-p ${settings.topP})`,
    JPEG_IMAGES,
    modes,
    tallies,
  );
  await model.release();
}

async function janusPro(): Promise<void> {
  const model = await JanusModel.load(tinyJanusDir(), { provider: 'cpu', threads: THREADS });
  const d = model.manifest.sampling.defaults;
  const modes = modesFor('janus-pro', values.sweep === true);
  for (const cfgScale of [d.cfgScale, 1]) {
    const settings: SamplingSettings = {
      cfgScale,
      temperature: d.temperature,
      topK: d.topK,
      topP: d.topP,
      cdk: null,
    };
    const tallies = await compare(
      JANUS_IMAGES,
      async (i, decoding, stats) =>
        (
          await generateJanusCodes(model, {
            promptIds: model.promptIds(PROMPTS[i % PROMPTS.length]!),
            seed: 1000 + i,
            imageIndex: 0,
            settings,
            stats,
            ...(decoding === undefined ? {} : { decoding }),
          })
        ).length,
      modes,
    );
    report(
      `janus-pro (${model.manifest.id}, random weights, cfg ${cfgScale}, top-p ${settings.topP})`,
      JANUS_IMAGES,
      modes,
      tallies,
    );
  }
  await model.release();
}

if (FAMILIES.includes('vq-ar')) await vqAr();
if (FAMILIES.includes('jpeg-lm')) await jpegLm();
if (FAMILIES.includes('janus-pro')) await janusPro();
