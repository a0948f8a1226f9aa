/** Registry entry of the `jpeg-lm` family (JPEG-LM: a Llama decoder over JPEG file bytes). */
import { CAN_CAPTION, CAN_INFILL, CAN_SCORE, familyEntry } from '../shared/family-entry.ts';
import { runCaption, runGenerate, runInfill, runScore } from './jobs.ts';
import { JpegLmModel } from './model.ts';

export const jpegLm = familyEntry({
  family: 'jpeg-lm',
  progressUnit: 'mcu',
  load: (dir, options) => JpegLmModel.load(dir, options),
  decoder: (model) => model.session,
  needs: {
    generate: [(c) => c.generate, 'generate images'],
    infill: CAN_INFILL,
    caption: CAN_CAPTION,
    score: CAN_SCORE,
  },
  generate: runGenerate,
  infill: runInfill,
  caption: runCaption,
  score: runScore,
});
