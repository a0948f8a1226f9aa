/**
 * A family's registry entry from its model loader and its four jobs, the part every family's
 * index.ts would otherwise spell out: each job first checks that the manifest declares what it
 * needs (refused by name otherwise), and the host is told the provider the decoder loaded on.
 */
import type {
  CaptionRequest,
  GenerateRequest,
  InfillRequest,
  JobResult,
} from '../../../common/inference-contract.ts';
import { canScoreTexts, type ModelManifest } from '../../../common/model-manifest.ts';
import type { LoadedSession } from '../../engine/ort.ts';
import {
  CapabilityError,
  type Emit,
  type FamilyDescriptor,
  type FamilyModel,
  type JobControl,
  type LoadOptions,
} from '../types.ts';

type Capabilities = ModelManifest['capabilities'];
type Job = 'generate' | 'infill' | 'caption' | 'score';

/** What a job needs the manifest to declare, and the words "<model id> cannot …" refuses with. */
export type Need = [(caps: Capabilities) => boolean, string];

export interface FamilyParts<M extends { manifest: ModelManifest; release(): Promise<void> }> {
  family: FamilyDescriptor['family'];
  progressUnit: FamilyDescriptor['progressUnit'];
  load(dir: string, options: LoadOptions): Promise<M>;
  /** the session whose provider (and fallback notice) the host reports */
  decoder(model: M): LoadedSession;
  /** each job's need; a job with none runs on every model of the family */
  needs: Partial<Record<Job, Need>>;
  generate(
    model: M,
    req: GenerateRequest,
    control: JobControl,
    emit: Emit,
  ): Promise<JobResult | 'stopped'>;
  infill(
    model: M,
    req: InfillRequest,
    control: JobControl,
    emit: Emit,
  ): Promise<JobResult | 'stopped'>;
  caption(model: M, req: CaptionRequest): Promise<JobResult>;
  score(model: M, imageRgb: string, texts: string[]): Promise<JobResult>;
}

/** The needs most families share: infill and captioning as their manifest declares them. */
export const CAN_INFILL: Need = [(c) => c.infill !== 'none', 'infill'];
export const CAN_CAPTION: Need = [(c) => c.caption, 'caption'];
export const CAN_SCORE: Need = [canScoreTexts, 'score texts'];

export function familyEntry<M extends { manifest: ModelManifest; release(): Promise<void> }>(
  parts: FamilyParts<M>,
): FamilyDescriptor {
  return {
    family: parts.family,
    progressUnit: parts.progressUnit,
    async load(dir, options): Promise<FamilyModel> {
      const model = await parts.load(dir, options);
      const need = (job: Job) => {
        const rule = parts.needs[job];
        if (rule !== undefined && !rule[0](model.manifest.capabilities))
          throw new CapabilityError(`${model.manifest.id} cannot ${rule[1]}`);
      };
      const session = parts.decoder(model);
      return {
        dir,
        manifest: model.manifest,
        provider: session.provider,
        providerNotice: session.notice,
        generate: async (req, control, emit) => {
          need('generate');
          return parts.generate(model, req, control, emit);
        },
        infill: async (req, control, emit) => {
          need('infill');
          return parts.infill(model, req, control, emit);
        },
        caption: async (req) => {
          need('caption');
          return parts.caption(model, req);
        },
        score: async (image, texts) => {
          need('score');
          return parts.score(model, image, texts);
        },
        release: () => model.release(),
      };
    },
  };
}
