/**
 * The jetformer family's token step, measured side by side (docs/models.md §jetformer):
 *
 *   step overhead  one Tessera token step (the loop's gmm_head, the guided sample, embed_image
 *                  and the decoder step against the cache) ÷ the same three runs replayed bare
 *   CFG cost       a guided (2-row) step ÷ an unguided (1-row) step
 *
 * Steps are timed between the loop's per-token callbacks, so a step is exactly what the job
 * runs (previews aside: the job adds one flow inverse per 1/16 of the tokens). Each step's bare
 * twin (the runs it made, recorded from the same generation beforehand) is replayed in the
 * callback right after it (bench/step-timing.ts). A small model's step lasts a millisecond or
 * two, so the tenth percentile is reported beside the median.
 *
 * Usage: node --import tsx bench/jetformer-step.ts MODEL_DIR [ROUNDS]
 */
import { resolve } from 'node:path';
import {
  generateTokens,
  type GenerateInput,
} from '../app/inference/families/jetformer/generate.ts';
import type { GmmSettings } from '../app/inference/families/jetformer/guided.ts';
import { JetFormerModel } from '../app/inference/families/jetformer/model.ts';
import {
  pairedSteps,
  printRows,
  recordRuns,
  runStepBenchmark,
  stepRows,
  type StepRun,
  type StepSamples,
} from './step-timing.ts';

const input = (model: JetFormerModel, settings: GmmSettings, seed: number): GenerateInput => ({
  captionIds: model.captionIds('grinning face', null),
  seed,
  imageIndex: 0,
  settings,
});

const run =
  (model: JetFormerModel): StepRun<GmmSettings> =>
  (settings, seed, afterStep) =>
    generateTokens(model, {
      ...input(model, settings, seed),
      afterToken: async (state) => {
        await afterStep(state.done - 1);
        return true;
      },
    });

/** Records one generation's runs and returns the mark that replays token step i's bare twin. */
async function pairedSetup(
  model: JetFormerModel,
  settings: GmmSettings,
  seed: number,
  samples: StepSamples,
) {
  const s = model.sessions;
  const runs = await recordRuns(
    {
      gmm_head: s.gmm_head.session,
      embed_image: s.embed_image.session,
      decoder: s.decoder.session,
    },
    () => generateTokens(model, input(model, settings, seed)),
  );
  // Step k samples token k: its head, its embedding and the decoder run after it (decoder run
  // 0 is the prompt); the callback with done = k + 1 closes it.
  const bare = runs.gmm_head.map((head, k) => [head, runs.embed_image[k]!, runs.decoder[k + 1]!]);
  const pairs = pairedSteps(bare, samples);
  return (i: number) => pairs.mark(i);
}

export async function jetformerStepBenchmark(model: JetFormerModel, rounds: number) {
  const d = model.gmm.defaults;
  const guided: GmmSettings = {
    cfgScale: d.cfgScale === 1 ? 3 : d.cfgScale,
    temperatureProbs: d.temperatureProbs,
    temperatureScales: d.temperatureScales,
  };
  return runStepBenchmark({
    run: run(model),
    guided,
    plain: { ...guided, cfgScale: 1 },
    stepsPerImage: model.gmm.tokens - 1,
    rounds,
    paired: (settings, seed, samples) => pairedSetup(model, settings, seed, samples),
  });
}

/** Table rows in bench/engine.ts's shape: [measure, value, goal]. */
export function jetformerRows(
  id: string,
  t: Awaited<ReturnType<typeof jetformerStepBenchmark>>,
): [string, string, string][] {
  return stepRows(id, 'token step', 'gmm_head+embed_image+decoder', t);
}

if (process.argv[1] !== undefined && resolve(process.argv[1]) === resolve(import.meta.filename)) {
  const dir = process.argv[2];
  if (dir === undefined)
    throw new Error('usage: node --import tsx bench/jetformer-step.ts MODEL_DIR [ROUNDS]');
  const rounds = Number(process.argv[3] ?? 630);
  const model = await JetFormerModel.load(dir, { provider: 'cpu', threads: 2 });
  const rows = jetformerRows(model.manifest.id, await jetformerStepBenchmark(model, rounds));
  await model.release();
  printRows(rows);
}
