/** Registry entry of the `jpeg-lm` family (JPEG-LM: a Llama decoder over JPEG file bytes). */
import { CapabilityError, type FamilyDescriptor, type FamilyModel } from '../types.ts';
import { runCaption, runGenerate, runInfill, runScore } from './jobs.ts';
import { JpegLmModel } from './model.ts';

export const jpegLm: FamilyDescriptor = {
  family: 'jpeg-lm',
  progressUnit: 'mcu',
  async load(dir, options): Promise<FamilyModel> {
    const model = await JpegLmModel.load(dir, options);
    const caps = model.manifest.capabilities;
    const need = (ok: boolean, what: string) => {
      if (!ok) throw new CapabilityError(`${model.manifest.id} cannot ${what}`);
    };
    return {
      dir,
      manifest: model.manifest,
      provider: model.session.provider,
      providerNotice: model.session.notice,
      generate: async (req, control, emit) => {
        need(caps.generate, 'generate images');
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
        need(caps.likelihood !== 'none', 'score texts');
        return runScore(model, image, texts);
      },
      release: () => model.release(),
    };
  },
};
