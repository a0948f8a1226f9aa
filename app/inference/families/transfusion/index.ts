/** Registry entry of the `transfusion` family (text by next-token prediction, images by diffusion). */
import { CapabilityError, type FamilyDescriptor, type FamilyModel } from '../types.ts';
import { runCaption, runGenerate, runInfill, runScore } from './jobs.ts';
import { TransfusionModel } from './model.ts';

export const transfusion: FamilyDescriptor = {
  family: 'transfusion',
  progressUnit: 'step',
  async load(dir, options): Promise<FamilyModel> {
    const model = await TransfusionModel.load(dir, options);
    const caps = model.manifest.capabilities;
    const need = (ok: boolean, what: string) => {
      if (!ok) throw new CapabilityError(`${model.manifest.id} cannot ${what}`);
    };
    return {
      dir,
      manifest: model.manifest,
      provider: model.sessions.decoder.provider,
      providerNotice: model.sessions.decoder.notice,
      generate: (req, control, emit) => runGenerate(model, req, control, emit),
      infill: async (req, control, emit) => {
        need(caps.infill !== 'none', 'infill');
        return runInfill(model, req, control, emit);
      },
      caption: async (req) => {
        need(caps.caption, 'caption');
        return runCaption(model, req);
      },
      // Scoring needs only the caption head read after a clean image, which every transfusion
      // model has; the manifest's `likelihood` speaks of the image, which diffusion only bounds.
      score: async (image, texts) => {
        need(caps.caption, 'score texts');
        return runScore(model, image, texts);
      },
      release: () => model.release(),
    };
  },
};
