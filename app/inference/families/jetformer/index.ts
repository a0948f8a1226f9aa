/**
 * Registry entry of the `jetformer` family (a normalising flow and an autoregressive
 * transformer over its soft tokens, with a Gaussian-mixture head).
 */
import { CAN_CAPTION, CAN_INFILL, CAN_SCORE, familyEntry } from '../shared/family-entry.ts';
import { runCaption, runGenerate, runInfill, runScore } from './jobs.ts';
import { JetFormerModel } from './model.ts';

export const jetformer = familyEntry({
  family: 'jetformer',
  progressUnit: 'token',
  load: (dir, options) => JetFormerModel.load(dir, options),
  decoder: (model) => model.sessions.decoder,
  needs: {
    generate: [(c) => c.generate, 'generate'],
    infill: CAN_INFILL,
    caption: CAN_CAPTION,
    score: CAN_SCORE,
  },
  generate: runGenerate,
  infill: runInfill,
  caption: runCaption,
  score: runScore,
});
