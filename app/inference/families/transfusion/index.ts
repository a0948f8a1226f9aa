/** Registry entry of the `transfusion` family (text by next-token prediction, images by diffusion). */
import { CAN_CAPTION, CAN_INFILL, CAN_SCORE, familyEntry } from '../shared/family-entry.ts';
import { runCaption, runGenerate, runInfill, runScore } from './jobs.ts';
import { TransfusionModel } from './model.ts';

export const transfusion = familyEntry({
  family: 'transfusion',
  progressUnit: 'step',
  load: (dir, options) => TransfusionModel.load(dir, options),
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
