/**
 * Reads a file a manifest names and checks it against the manifest's sha256, so a missing,
 * corrupt or swapped file is named before anything runs on it.
 */
import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { ModelLoadError } from './types.ts';

export async function readCheckedFile(dir: string, file: string, sha256: string): Promise<Buffer> {
  let bytes: Buffer;
  try {
    bytes = await readFile(join(dir, file));
  } catch {
    throw new ModelLoadError(`${file} is missing from ${dir}: re-copy or re-export the model`);
  }
  if (createHash('sha256').update(bytes).digest('hex') !== sha256) {
    throw new ModelLoadError(
      `${file} in ${dir} is damaged (its hash does not match the manifest): re-copy or re-export the model`,
    );
  }
  return bytes;
}
