/** Registry entry of the `vq-ar` family (CM3Leon-style VQ tokens). */
import { CAN_CAPTION, CAN_INFILL, CAN_SCORE, familyEntry } from '../shared/family-entry.ts';
import { runCaption, runGenerate, runInfill, runScore } from './jobs.ts';
import { VqArModel } from './model.ts';

export const vqAr = familyEntry({
  family: 'vq-ar',
  progressUnit: 'token',
  load: (dir, options) => VqArModel.load(dir, options),
  decoder: (model) => model.sessions.decoder,
  needs: {
    infill: CAN_INFILL,
    caption: CAN_CAPTION,
    score: CAN_SCORE,
  },
  generate: runGenerate,
  infill: runInfill,
  caption: runCaption,
  score: runScore,
});
