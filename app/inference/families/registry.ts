/**
 * The model families this build can run. Adding a family is one folder, one entry here, one
 * entry in the contract's params and its golden test.
 */
import type { Family } from '../../common/model-manifest.ts';
import { readManifest } from './manifest-file.ts';
import {
  ModelLoadError,
  type FamilyDescriptor,
  type FamilyModel,
  type LoadOptions,
} from './types.ts';
import { jetformer } from './jetformer/index.ts';
import { janusPro } from './janus-pro/index.ts';
import { jpegLm } from './jpeg-lm/index.ts';
import { transfusion } from './transfusion/index.ts';
import { vqAr } from './vq-ar/index.ts';

export const FAMILY_REGISTRY: Partial<Record<Family, FamilyDescriptor>> = {
  'vq-ar': vqAr,
  'jpeg-lm': jpegLm,
  jetformer,
  transfusion,
  'janus-pro': janusPro,
};

export async function loadFamilyModel(dir: string, options: LoadOptions): Promise<FamilyModel> {
  const { family } = await readManifest(dir);
  const descriptor = FAMILY_REGISTRY[family];
  if (descriptor === undefined) {
    throw new ModelLoadError(
      `${dir} holds a ${family} model, which this version of Tessera cannot run yet`,
    );
  }
  return descriptor.load(dir, options);
}
