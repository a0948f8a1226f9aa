/** Registry entry of the `janus-pro` family (Janus-Pro checkpoints in the transformers.js ONNX layout). */
import { CapabilityError, type FamilyDescriptor, type FamilyModel } from '../types.ts';
import { runCaption, runGenerate } from './jobs.ts';
import { JanusModel } from './model.ts';

export const janusPro: FamilyDescriptor = {
  family: 'janus-pro',
  progressUnit: 'token',
  async load(dir, options): Promise<FamilyModel> {
    const model = await JanusModel.load(dir, options);
    const id = model.manifest.id;
    const session = model.sessions.language_model;
    return {
      dir,
      manifest: model.manifest,
      provider: session.provider,
      providerNotice: session.notice,
      generate: (req, control, emit) => runGenerate(model, req, control, emit),
      infill: () => Promise.reject(new CapabilityError(`${id} cannot infill yet`)),
      caption: (req) => runCaption(model, req),
      score: () => Promise.reject(new CapabilityError(`${id} cannot score texts yet`)),
      release: () => model.release(),
    };
  },
};
