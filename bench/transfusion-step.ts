/**
 * The transfusion family's denoising step, measured side by side (docs/models.md §transfusion):
 *
 *   step overhead  one Tessera denoising step (the loop's patch_in, decoder against the cached
 *                  prefix and patch_out, guidance and the solver step) ÷ the same three runs
 *                  replayed bare
 *   CFG cost       a guided (2-row) step ÷ an unguided (1-row) step
 *
 * Steps are timed between the loop's per-step callbacks, so a step is exactly what the job runs.
 * Each step's bare twin (the runs it made, recorded from the same generation beforehand) is
 * replayed in the callback right after it (bench/step-timing.ts). A small model's step lasts a
 * millisecond or two, so on a loaded machine a preempted step is many times longer than an
 * undisturbed one: the tenth percentile is reported beside the median.
 *
 * Usage: node --import tsx bench/transfusion-step.ts MODEL_DIR [ROUNDS]
 */
import { resolve } from 'node:path';
import {
  denoise,
  type DenoiseJob,
  type DiffusionSettings,
} from '../app/inference/families/transfusion/denoise.ts';
import { TransfusionModel } from '../app/inference/families/transfusion/model.ts';
import {
  pairedSteps,
  printRows,
  recordRuns,
  runStepBenchmark,
  stepRows,
  type StepRun,
  type StepSamples,
} from './step-timing.ts';

const job = (model: TransfusionModel, settings: DiffusionSettings, seed: number): DenoiseJob => ({
  captionIds: model.captionIds('grinning face', null),
  seed,
  imageIndex: 0,
  settings,
});

const run =
  (model: TransfusionModel): StepRun<DiffusionSettings> =>
  (settings, seed, afterStep) =>
    denoise(model, {
      ...job(model, settings, seed),
      afterStep: async (i) => {
        await afterStep(i);
        return true;
      },
    });

/** Records one generation's runs and returns the mark that replays step i's bare twin. */
async function pairedSetup(
  model: TransfusionModel,
  settings: DiffusionSettings,
  seed: number,
  samples: StepSamples,
) {
  const s = model.sessions;
  const runs = await recordRuns(
    { patch_in: s.patch_in.session, decoder: s.decoder.session, patch_out: s.patch_out.session },
    () => denoise(model, job(model, settings, seed)),
  );
  // A network call is patch_in, the decoder run after it (run 0 is the prefix) and patch_out;
  // a step is one call, or two for a solver with a corrector.
  const calls = runs.patch_in.map((p, j) => [p, runs.decoder[j + 1]!, runs.patch_out[j]!]);
  const perStep = calls.length / settings.steps;
  const bare = Array.from({ length: settings.steps }, (_, i) =>
    calls.slice(i * perStep, (i + 1) * perStep).flat(),
  );
  const pairs = pairedSteps(bare, samples);
  return (i: number) => pairs.mark(i);
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
  return runStepBenchmark({
    run: run(model),
    guided,
    plain: { ...guided, cfgScale: 1 },
    stepsPerImage: steps,
    rounds,
    paired: (settings, seed, samples) => pairedSetup(model, settings, seed, samples),
  });
}

/** Table rows in bench/engine.ts's shape: [measure, value, goal]. */
export function transfusionRows(
  id: string,
  t: Awaited<ReturnType<typeof transfusionStepBenchmark>>,
): [string, string, string][] {
  return stepRows(id, 'denoising step', 'patch_in+decoder+patch_out', t);
}

if (process.argv[1] !== undefined && resolve(process.argv[1]) === resolve(import.meta.filename)) {
  const dir = process.argv[2];
  if (dir === undefined)
    throw new Error('usage: node --import tsx bench/transfusion-step.ts MODEL_DIR [ROUNDS]');
  const rounds = Number(process.argv[3] ?? 640);
  const model = await TransfusionModel.load(dir, { provider: 'cpu', threads: 2 });
  const rows = transfusionRows(model.manifest.id, await transfusionStepBenchmark(model, rounds));
  await model.release();
  printRows(rows);
}
