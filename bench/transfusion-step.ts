/**
 * The transfusion family's denoising step, measured side by side (docs/models.md §transfusion):
 *
 *   step overhead  one Tessera denoising step (the loop's patch_in, decoder against the cached
 *                  prefix and patch_out, guidance and the solver step) ÷ the same three graphs
 *                  run bare with inputs prepared in advance
 *   CFG cost       a guided (2-row) step ÷ an unguided (1-row) step
 *
 * Steps are timed between the loop's per-step callbacks, so a step is exactly what the job runs.
 * A small model's step lasts a millisecond or two, so on a loaded machine a preempted step is
 * many times longer than an undisturbed one: the tenth percentile is reported beside the median.
 */
import { denoise, type DiffusionSettings } from '../app/inference/families/transfusion/denoise.ts';
import type { Tensor } from '../app/inference/engine/ort.ts';
import type { TransfusionModel } from '../app/inference/families/transfusion/model.ts';

const quantile = (xs: number[], q: number) =>
  [...xs].sort((a, b) => a - b)[Math.floor((xs.length - 1) * q)]!;
const now = () => Number(process.hrtime.bigint()) / 1e6;

/** Milliseconds of each step after the first of one generation of `steps` steps. */
async function stepTimes(model: TransfusionModel, settings: DiffusionSettings, seed: number) {
  const times: number[] = [];
  let last = 0;
  await denoise(model, {
    captionIds: model.captionIds('grinning face', null),
    seed,
    imageIndex: 0,
    settings,
    afterStep: async (i) => {
      const t = now();
      if (i > 0) times.push(t - last);
      last = t;
      return true;
    },
  });
  return times;
}

/** One bare step: the three graphs' session.run on inputs prepared in advance. */
async function bareStepTimes(model: TransfusionModel, rows: number, count: number) {
  const d = model.diffusion;
  const sp = model.manifest.specialTokens;
  const prefix = [sp.bos, ...model.captionIds('grinning face', null), sp.boi!];
  const ids = Array.from({ length: rows }, () => prefix);
  const { cache } = await model.decode(
    await model.embedText(ids),
    rows,
    prefix.length,
    model.emptyCache(rows),
    null,
  );
  const p = prefix.length;
  const x = new Float32Array(rows * d.patches * d.patchDim).fill(0.1);
  // The inputs each graph gets, captured once from a real step and replayed.
  const feeds: Partial<Record<'patch_in' | 'decoder' | 'patch_out', Record<string, Tensor>>> = {};
  const s = model.sessions;
  const capture = (role: 'patch_in' | 'decoder' | 'patch_out') => {
    const session = s[role].session;
    const original = session.run.bind(session);
    session.run = (async (feed: Record<string, Tensor>) => {
      feeds[role] = feed;
      return original(feed);
    }) as typeof session.run;
    return () => (session.run = original as typeof session.run);
  };
  const restore = (['patch_in', 'decoder', 'patch_out'] as const).map(capture);
  const { hidden } = await model.decode(await model.patchIn(x, rows, 0.5), rows, d.patches, cache, [
    p,
    p + d.patches,
  ]);
  await model.patchOut(hidden, rows);
  restore.forEach((r) => r());
  const times: number[] = [];
  for (let i = 0; i < count; i++) {
    const t = now();
    await s.patch_in.session.run(feeds.patch_in!);
    await s.decoder.session.run(feeds.decoder!);
    await s.patch_out.session.run(feeds.patch_out!);
    times.push(now() - t);
  }
  return times;
}

export async function transfusionStepBenchmark(model: TransfusionModel, rounds: number) {
  const d = model.diffusion;
  const steps = Math.min(d.bounds.steps[1], 16);
  const guided: DiffusionSettings = {
    steps,
    cfgScale: 3,
    sampler: d.defaults.sampler,
    resample: 1,
  };
  const plain = { ...guided, cfgScale: 1 };
  const samples = { bare: [] as number[], guided: [] as number[], plain: [] as number[] };
  await stepTimes(model, guided, 0); // warm up
  for (let r = 0; r < Math.max(1, Math.floor(rounds / steps)); r++) {
    // Interleaved, so drifts in machine load hit every variant alike.
    samples.bare.push(...(await bareStepTimes(model, 2, steps - 1)));
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
