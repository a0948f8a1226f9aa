/**
 * Registry entry of the `jetformer` family (a normalising flow and an autoregressive
 * transformer over its soft tokens, with a Gaussian-mixture head).
 */
import { CapabilityError, type FamilyDescriptor, type FamilyModel } from '../types.ts';
import { runCaption, runGenerate, runInfill, runScore } from './jobs.ts';
import { JetFormerModel } from './model.ts';

export const jetformer: FamilyDescriptor = {
  family: 'jetformer',
  progressUnit: 'token',
  async load(dir, options): Promise<FamilyModel> {
    const model = await JetFormerModel.load(dir, options);
    const caps = model.manifest.capabilities;
    const need = (ok: boolean, what: string) => {
      if (!ok) throw new CapabilityError(`${model.manifest.id} cannot ${what}`);
    };
    return {
      dir,
      manifest: model.manifest,
      provider: model.sessions.decoder.provider,
      providerNotice: model.sessions.decoder.notice,
      generate: async (req, control, emit) => {
        need(caps.generate, 'generate');
        return runGenerate(model, req, control, emit);
      },
      infill: async (req, control, emit) => {
        need(caps.infill !== 'none', 'infill');
        return runInfill(model, req, control, emit);
      },
      caption: async (req) => {
        need(caps.caption, 'caption');
        return runCaption(model, req);
      },
      score: async (image, texts) => {
        need(caps.caption, 'score texts');
        return runScore(model, image, texts);
      },
      release: () => model.release(),
    };
  },
};
