/** Registry entry of the `janus-pro` family (Janus-Pro checkpoints in the transformers.js ONNX layout). */
import { CAN_CAPTION, CAN_INFILL, CAN_SCORE, familyEntry } from '../shared/family-entry.ts';
import { runCaption, runGenerate, runInfill, runScore } from './jobs.ts';
import { JanusModel } from './model.ts';

export const janusPro = familyEntry({
  family: 'janus-pro',
  progressUnit: 'token',
  load: (dir, options) => JanusModel.load(dir, options),
  decoder: (model) => model.sessions.language_model,
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
