/** Reads and validates a model folder's manifest.json, failing with what to do. */
import { join } from 'node:path';
import { parseManifest, type ModelManifest } from '../../common/model-manifest.ts';
import { ModelFileError, readManifestText } from '../../models/model-file.ts';
import { ModelLoadError } from './types.ts';

export async function readManifest(dir: string): Promise<ModelManifest> {
  const where = join(dir, 'manifest.json');
  let text: string;
  try {
    text = await readManifestText(dir);
  } catch (err) {
    if (!(err instanceof ModelFileError)) throw err;
    if (err.problem !== 'missing') throw new ModelLoadError(err.message);
    throw new ModelLoadError(
      `no manifest.json in ${dir}: choose a model folder exported by Tessera`,
    );
  }
  const parsed = parseManifest(text, where);
  if (!parsed.ok) throw new ModelLoadError(parsed.error.message);
  return parsed.value;
}
