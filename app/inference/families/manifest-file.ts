/** Reads and validates a model folder's manifest.json, failing with what to do. */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { parseManifest, type ModelManifest } from '../../common/model-manifest.ts';
import { ModelLoadError } from './types.ts';

export async function readManifest(dir: string): Promise<ModelManifest> {
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
  return parsed.value;
}
