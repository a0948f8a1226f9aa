/**
 * The jetformer family's token step, measured side by side (docs/models.md §jetformer):
 *
 *   step overhead  one Tessera token step (the loop's gmm_head, the guided sample, embed_image
 *                  and the decoder step against the cache) ÷ the same three graphs run bare
 *                  with inputs prepared in advance
 *   CFG cost       a guided (2-row) step ÷ an unguided (1-row) step
 *
 * Steps are timed between the loop's per-token callbacks, so a step is exactly what the job
 * runs (previews aside: the job adds one flow inverse per 1/16 of the tokens). A small model's
 * step lasts a millisecond or two, so the tenth percentile is reported beside the median.
 *
 * Usage: node --import tsx bench/jetformer-step.ts MODEL_DIR [ROUNDS]
 */
import { resolve } from 'node:path';
import type { Tensor } from '../app/inference/engine/ort.ts';
import { generateTokens } from '../app/inference/families/jetformer/generate.ts';
import type { GmmSettings } from '../app/inference/families/jetformer/guided.ts';
import { JetFormerModel } from '../app/inference/families/jetformer/model.ts';

const quantile = (xs: number[], q: number) =>
  [...xs].sort((a, b) => a - b)[Math.floor((xs.length - 1) * q)]!;
const now = () => Number(process.hrtime.bigint()) / 1e6;
type Role = 'gmm_head' | 'embed_image' | 'decoder';
const STEP_ROLES: Role[] = ['gmm_head', 'embed_image', 'decoder'];

/** Milliseconds of each token step after the first of one generation. */
async function stepTimes(model: JetFormerModel, settings: GmmSettings, seed: number) {
  const times: number[] = [];
  let last = 0;
  await generateTokens(model, {
    captionIds: model.captionIds('grinning face', null),
    seed,
    imageIndex: 0,
    settings,
    afterToken: async (state) => {
      const t = now();
      if (state.done > 1) times.push(t - last);
      last = t;
      return true;
    },
  });
  return times;
}

/** One bare step: the three graphs' session.run on feeds captured from a real step. */
async function bareStepTimes(model: JetFormerModel, settings: GmmSettings, count: number) {
  const feeds: Partial<Record<Role, Record<string, Tensor>>> = {};
  const restore = STEP_ROLES.map((role) => {
    const session = model.sessions[role].session;
    const original = session.run.bind(session);
    session.run = (async (feed: Record<string, Tensor>) => {
      feeds[role] = feed;
      return original(feed);
    }) as typeof session.run;
    return () => (session.run = original as typeof session.run);
  });
  let seen = 0;
  await generateTokens(model, {
    captionIds: model.captionIds('grinning face', null),
    seed: 0,
    imageIndex: 0,
    settings,
    afterToken: async () => ++seen < 8,
  });
  restore.forEach((r) => r());
  const s = model.sessions;
  const times: number[] = [];
  for (let i = 0; i < count; i++) {
    const t = now();
    for (const role of STEP_ROLES) await s[role].session.run(feeds[role]!);
    times.push(now() - t);
  }
  return times;
}

export async function jetformerStepBenchmark(model: JetFormerModel, rounds: number) {
  const d = model.gmm.defaults;
  const guided: GmmSettings = {
    cfgScale: d.cfgScale === 1 ? 3 : d.cfgScale,
    temperatureProbs: d.temperatureProbs,
    temperatureScales: d.temperatureScales,
  };
  const plain = { ...guided, cfgScale: 1 };
  const samples = { bare: [] as number[], guided: [] as number[], plain: [] as number[] };
  await stepTimes(model, guided, 0); // warm up
  const perImage = model.gmm.tokens - 1;
  for (let r = 0; r < Math.max(1, Math.floor(rounds / perImage)); r++) {
    // Interleaved, so drifts in machine load hit every variant alike.
    samples.bare.push(...(await bareStepTimes(model, guided, perImage)));
    samples.guided.push(...(await stepTimes(model, guided, r + 1)));
    samples.plain.push(...(await stepTimes(model, plain, r + 1)));
  }
  const at = (q: number) => ({
    bareStepMs: quantile(samples.bare, q),
    tesseraStepMs: quantile(samples.guided, q),
    oneRowStepMs: quantile(samples.plain, q),
  });
  return { median: at(0.5), p10: at(0.1) };
}

/** Table rows in bench/engine.ts's shape: [measure, value, goal]. */
export function jetformerRows(
  id: string,
  t: Awaited<ReturnType<typeof jetformerStepBenchmark>>,
): [string, string, string][] {
  return (
    [
      ['median', t.median],
      ['p10', t.p10],
    ] as const
  ).flatMap(([name, q]): [string, string, string][] => [
    [
      `${id}: token step ÷ bare gmm_head+embed_image+decoder (2 rows, ${name})`,
      (q.tesseraStepMs / q.bareStepMs).toFixed(3),
      '≤ 1.05',
    ],
    [
      `${id}: CFG 2-row step ÷ 1-row step (${name})`,
      (q.tesseraStepMs / q.oneRowStepMs).toFixed(3),
      '',
    ],
    [
      `${id}: bare / Tessera / 1-row step (ms, ${name})`,
      `${q.bareStepMs.toFixed(3)} / ${q.tesseraStepMs.toFixed(3)} / ${q.oneRowStepMs.toFixed(3)}`,
      '',
    ],
  ]);
}

if (process.argv[1] !== undefined && resolve(process.argv[1]) === resolve(import.meta.filename)) {
  const dir = process.argv[2];
  if (dir === undefined)
    throw new Error('usage: node --import tsx bench/jetformer-step.ts MODEL_DIR [ROUNDS]');
  const rounds = Number(process.argv[3] ?? 630);
  const model = await JetFormerModel.load(dir, { provider: 'cpu', threads: 2 });
  const rows = jetformerRows(model.manifest.id, await jetformerStepBenchmark(model, rounds));
  await model.release();
  console.log('| measure | value | goal |\n|---|---:|---|');
  for (const [k, v, g] of rows) console.log(`| ${k} | ${v} | ${g} |`);
}
