/** Registry entry of the `vq-ar` family (CM3Leon-style VQ tokens). */
import { CapabilityError, type FamilyDescriptor, type FamilyModel } from '../types.ts';
import { runCaption, runGenerate, runInfill, runScore } from './jobs.ts';
import { VqArModel } from './model.ts';

export const vqAr: FamilyDescriptor = {
  family: 'vq-ar',
  progressUnit: 'token',
  async load(dir, options): Promise<FamilyModel> {
    const model = await VqArModel.load(dir, options);
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
      score: async (image, texts) => {
        need(caps.likelihood !== 'none', 'score texts');
        return runScore(model, image, texts);
      },
      release: () => model.release(),
    };
  },
};
