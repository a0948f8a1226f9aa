/**
 * Samples for native-models' parallel_quality scorer: one image per test prompt (caption and
 * set, seed = item index, as the evaluator samples), made by the app's engine once with the
 * plain loop and once with parallel decoding, at the manifest's default sampling.
 *
 *   node --import tsx bench/parallel-quality.ts --prompts PROMPTS.json --out CODES.json
 *     [--window N] [--threads N]
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { parallelDecoding } from '../app/common/parallel-decoding.ts';
import type { SamplingSettings } from '../app/inference/engine/logits/sample.ts';
import { generateCodes } from '../app/inference/families/vq-ar/generate.ts';
import { VqArModel } from '../app/inference/families/vq-ar/model.ts';
import { shippedModelDir } from '../app/models/testing/shipped-models.ts';

const { values } = parseArgs({
  options: {
    prompts: { type: 'string' },
    out: { type: 'string' },
    window: { type: 'string' },
    threads: { type: 'string' },
  },
});
if (values.prompts === undefined || values.out === undefined)
  throw new Error('usage: parallel-quality.ts --prompts PROMPTS.json --out CODES.json');
const items = JSON.parse(readFileSync(values.prompts, 'utf8')) as {
  index: number;
  caption: string;
  set: string;
}[];
const model = await VqArModel.load(shippedModelDir('vq-ar'), {
  provider: 'cpu',
  threads: Number(values.threads ?? 1),
});
const d = model.manifest.sampling.defaults;
const settings: SamplingSettings = {
  cfgScale: d.cfgScale,
  temperature: d.temperature,
  topK: d.topK,
  topP: d.topP,
  cdk: null,
};
const decoding = parallelDecoding(
  'vq-ar',
  values.window === undefined ? undefined : Number(values.window),
);
const plain: number[][] = [];
const parallel: number[][] = [];
let runs = 0;
for (const item of items) {
  const request = {
    promptIds: model.promptIds(item.caption, item.set),
    seed: item.index,
    imageIndex: 0,
    settings,
  };
  plain.push(await generateCodes(model, request));
  const stats = { runs: 0, drafted: 0, accepted: 0 };
  parallel.push(await generateCodes(model, { ...request, decoding, stats }));
  runs += stats.runs;
}
writeFileSync(
  values.out,
  JSON.stringify({ items, decoding, runsPerImage: runs / items.length, plain, parallel }),
);
await model.release();
