/**
 * Engine benchmark for the embedded default model, measured side by side in one run (this
 * machine is shared and noisy, so only ratios of interleaved measurements are compared):
 *
 *   step overhead   Tessera's decode step ÷ a bare session.run of the same graph and inputs
 *   CFG cost        2-row (guided) step ÷ 1-row step
 *   throughput      images per second, batch 1 + CFG, and peak RSS of the inference process
 *   event-loop lag  p99 delay of the calling process's event loop while generations run
 *
 * The transfusion denoising step (bench/transfusion-step.ts) and the jetformer token step
 * (bench/jetformer-step.ts) are measured too, each on --transfusion / --jetformer DIR|ID (a model
 * folder or installed id), by default the first installed model of the family, else the smoke
 * export its tests run against (transfusion's is committed; jetformer's is built by its tests).
 *
 * Usage: npm run bench [-- --model ID] [-- --rounds N] [-- --transfusion DIR|ID]
 *        [-- --jetformer DIR|ID]
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { parseArgs } from 'node:util';
import * as ort from 'onnxruntime-node';
import { installedModels, resolveModel } from '../app/models/installed.ts';
import { resolveHome } from '../app/models/data-home.ts';
import type { GenerateRequest } from '../app/common/inference-contract.ts';
import { InferenceClient } from '../app/inference/client.ts';
import { createKvCache } from '../app/inference/engine/kv-cache.ts';
import { sampleToken, type SamplingSettings } from '../app/inference/engine/logits/sample.ts';
import { float32Tensor, floatData, int64Tensor, run } from '../app/inference/engine/ort.ts';
import { Prng } from '../app/inference/engine/rng.ts';
import { JetFormerModel } from '../app/inference/families/jetformer/model.ts';
import { TransfusionModel } from '../app/inference/families/transfusion/model.ts';
import { VqArModel } from '../app/inference/families/vq-ar/model.ts';
import { SMOKE_DIR as TRANSFUSION_SMOKE } from '../app/inference/families/transfusion/testing/test-model.ts';
import { jetformerRows, jetformerStepBenchmark } from './jetformer-step.ts';
import { printRows } from './step-timing.ts';
import { transfusionRows, transfusionStepBenchmark } from './transfusion-step.ts';

const { values } = parseArgs({
  options: {
    model: { type: 'string' },
    rounds: { type: 'string' },
    threads: { type: 'string' },
    transfusion: { type: 'string' },
    jetformer: { type: 'string' },
  },
});
const rounds = Number(values.rounds ?? 200);
const threads = Number(values.threads ?? 2);
const home = resolveHome(undefined);
const installed = await resolveModel(home, values.model);
/**
 * The folder of the model asked for by id or path, else the first installed one of `family`,
 * else `smoke` where that export is present.
 */
async function familyDir(
  family: string,
  asked: string | undefined,
  smoke: string,
): Promise<string | null> {
  const all = await installedModels(home);
  const found = all.find((m) =>
    asked === undefined ? m.manifest?.family === family : m.manifest?.id === asked,
  );
  return found?.dir ?? asked ?? (existsSync(join(smoke, 'manifest.json')) ? smoke : null);
}
const transfusionDir = await familyDir('transfusion', values.transfusion, TRANSFUSION_SMOKE);
const jetformerDir = await familyDir(
  'jetformer',
  values.jetformer,
  join(import.meta.dirname, '..', 'native-models', '.cache', 'jetformer-smoke'),
);

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
const now = () => Number(process.hrtime.bigint()) / 1e6;

/** Decoder inputs for one step after a prefix of `past` tokens, for `batch` rows. */
async function stepInputs(model: VqArModel, batch: number, past: number) {
  const kv = model.manifest.graphs.decoder!.kv!;
  const cache = createKvCache(kv, batch);
  const ids = Array.from({ length: batch * past }, (_, i) => 14 + (i % 50));
  const prefix = cache.inputs(past, true);
  const out = await run(model.sessions.decoder.session, {
    input_ids: int64Tensor(ids, [batch, past]),
    position_ids: int64Tensor(
      ids.map((_, i) => i % past),
      [batch, past],
    ),
    attention_mask: float32Tensor(prefix.mask, [batch, 1, past, prefix.maskWidth]),
    ...prefix.feed,
  });
  cache.update(out, past);
  return cache;
}

async function stepBenchmarks(model: VqArModel) {
  const session = model.sessions.decoder.session;
  const [lo, hi] = model.imageRange;
  const vocab = model.manifest.tokenizer.vocabSize;
  const settings: SamplingSettings = { cfgScale: 3, temperature: 1, topK: 0, topP: 0.9, cdk: null };
  const prng = new Prng(1, 0);
  const past = 40;
  const caches = { 1: await stepInputs(model, 1, past), 2: await stepInputs(model, 2, past) };
  const feedFor = (batch: 1 | 2) => {
    const step = caches[batch].inputs(1, false);
    return {
      input_ids: int64Tensor(new Array<number>(batch).fill(lo + 5), [batch, 1]),
      position_ids: int64Tensor(new Array<number>(batch).fill(past), [batch, 1]),
      attention_mask: float32Tensor(step.mask, [batch, 1, 1, step.maskWidth]),
      ...step.feed,
    };
  };
  // A bare run: the graph alone, inputs prepared in advance.
  const bare = async (batch: 1 | 2) => {
    const feed = feedFor(batch);
    const t = now();
    await session.run(feed as Record<string, ort.Tensor>);
    return now() - t;
  };
  // Tessera's step: build the inputs, run, read the logits, sample with the full pipeline.
  const tessera = async (batch: 1 | 2) => {
    const t = now();
    const out = await run(session, feedFor(batch));
    const logits = floatData(out.logits!);
    sampleToken(
      logits.subarray(lo, hi),
      batch === 2 ? logits.subarray(vocab + lo, vocab + hi) : null,
      settings,
      prng,
    );
    return now() - t;
  };
  for (let i = 0; i < 20; i++) {
    await bare(2);
    await tessera(2);
  }
  const samples = { bare2: [] as number[], tessera2: [] as number[], tessera1: [] as number[] };
  for (let i = 0; i < rounds; i++) {
    // Interleaved, so drifts in machine load hit every variant alike.
    samples.bare2.push(await bare(2));
    samples.tessera2.push(await tessera(2));
    samples.tessera1.push(await tessera(1));
  }
  return {
    bareStepMs: median(samples.bare2),
    tesseraStepMs: median(samples.tessera2),
    oneRowStepMs: median(samples.tessera1),
  };
}

async function endToEnd() {
  const client = new InferenceClient();
  const request = (seed: number): GenerateRequest => ({
    task: 'generate',
    modelDir: installed.dir,
    provider: 'cpu',
    threads,
    prompt: 'grinning face',
    style: null,
    seed,
    imageIndex: 0,
    sampling: { cfgScale: 3, temperature: 1, topK: 0, topP: 0.9, cdk: null },
    negativePrompt: '',
    resumeFrom: null,
  });
  await client.run(request(0)); // load the model, warm up
  const lag = monitorEventLoopDelay({ resolution: 1 });
  lag.enable();
  const times: number[] = [];
  const count = 20;
  for (let i = 1; i <= count; i++) {
    const t = now();
    const end = await client.run(request(i));
    if (end.type !== 'completed') throw new Error(`generation ${i} ended ${end.type}`);
    times.push(now() - t);
  }
  lag.disable();
  const pid = client.pid;
  const status =
    pid === undefined
      ? ''
      : await import('node:fs/promises').then((fs) =>
          fs.readFile(`/proc/${pid}/status`, 'utf8').catch(() => ''),
        );
  const peakKb = Number(/VmHWM:\s+(\d+)/.exec(status)?.[1] ?? NaN);
  await client.close();
  return {
    msPerImage: median(times),
    imagesPerSecond: 1000 / median(times),
    inferencePeakRssMiB: peakKb / 1024,
    lagP99Ms: lag.percentile(99) / 1e6,
    lagMaxMs: lag.max / 1e6,
  };
}

const model = await VqArModel.load(installed.dir, { provider: 'cpu', threads });
const steps = await stepBenchmarks(model);
await model.release();
const e2e = await endToEnd();
const rows: [string, string, string][] = [
  [
    'decode step ÷ bare session.run (2 rows)',
    (steps.tesseraStepMs / steps.bareStepMs).toFixed(3),
    '≤ 1.05',
  ],
  ['CFG 2-row step ÷ 1-row step', (steps.tesseraStepMs / steps.oneRowStepMs).toFixed(3), '≤ 1.3'],
  [
    'bare / Tessera / 1-row step (ms, median)',
    `${steps.bareStepMs.toFixed(3)} / ${steps.tesseraStepMs.toFixed(3)} / ${steps.oneRowStepMs.toFixed(3)}`,
    '',
  ],
  ['images per second (batch 1 + CFG, end to end)', e2e.imagesPerSecond.toFixed(2), ''],
  ['ms per image (median of 20)', e2e.msPerImage.toFixed(0), ''],
  ['inference process peak RSS (MiB)', e2e.inferencePeakRssMiB.toFixed(0), ''],
  [
    'caller event-loop lag p99 / max (ms)',
    `${e2e.lagP99Ms.toFixed(2)} / ${e2e.lagMaxMs.toFixed(2)}`,
    'p99 ≤ 16',
  ],
];
if (transfusionDir !== null) {
  const tf = await TransfusionModel.load(transfusionDir, { provider: 'cpu', threads });
  rows.push(...transfusionRows(tf.manifest.id, await transfusionStepBenchmark(tf, rounds)));
  await tf.release();
}
if (jetformerDir !== null) {
  const jf = await JetFormerModel.load(jetformerDir, { provider: 'cpu', threads });
  rows.push(...jetformerRows(jf.manifest.id, await jetformerStepBenchmark(jf, rounds)));
  await jf.release();
}
console.log(
  `model ${installed.manifest.id}, ${threads} threads, ${rounds} interleaved rounds, onnxruntime-node ${ort.env.versions.common}`,
);
printRows(rows);
