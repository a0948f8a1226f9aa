/**
 * The model families this build can run. Adding a family is one folder, one entry here, one
 * entry in the contract's params and its golden test.
 */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { parseManifest, type Family } from '../../common/model-manifest.ts';
import {
  ModelLoadError,
  type FamilyDescriptor,
  type FamilyModel,
  type LoadOptions,
} from './types.ts';
import { vqAr } from './vq-ar/index.ts';

export const FAMILY_REGISTRY: Partial<Record<Family, FamilyDescriptor>> = {
  'vq-ar': vqAr,
};

export async function loadFamilyModel(dir: string, options: LoadOptions): Promise<FamilyModel> {
  const where = join(dir, 'manifest.json');
  let text: string;
  try {
    text = await readFile(where, 'utf8');
  } catch {
    throw new ModelLoadError(
      `no manifest.json in ${dir}: choose a model folder exported by Tessera`,
    );
  }
  const parsed = parseManifest(text, where);
  if (!parsed.ok) throw new ModelLoadError(parsed.error.message);
  const descriptor = FAMILY_REGISTRY[parsed.value.family];
  if (descriptor === undefined) {
    throw new ModelLoadError(
      `${dir} holds a ${parsed.value.family} model, which this version of Tessera cannot run yet`,
    );
  }
  return descriptor.load(dir, options);
}
