/**
 * Reads a file a manifest names and checks it against the manifest's sha256, so a missing,
 * corrupt or swapped file is named before anything runs on it. The file is opened the way
 * model discovery opens it (models/model-file.ts): inside the model folder, a regular file,
 * non-blocking, so a named pipe or a link out of the folder cannot hang or feed the engine.
 */
import { createHash } from 'node:crypto';
import { pipeline } from 'node:stream/promises';
import { ModelFileError, openModelFile, readModelFile } from '../../models/model-file.ts';
import { ModelLoadError } from './types.ts';

/** The model-file refusal as a load error (a missing file keeps its own words). */
export function asLoadError(err: unknown, dir: string, file: string): unknown {
  if (!(err instanceof ModelFileError)) return err;
  if (err.problem === 'missing')
    return new ModelLoadError(`${file} is missing from ${dir}: re-copy or re-export the model`);
  return new ModelLoadError(err.message);
}

export async function readCheckedFile(dir: string, file: string, sha256: string): Promise<Buffer> {
  let bytes: Buffer;
  try {
    bytes = await readModelFile(dir, file);
  } catch (err) {
    throw asLoadError(err, dir, file);
  }
  if (createHash('sha256').update(bytes).digest('hex') !== sha256) {
    throw new ModelLoadError(
      `${file} in ${dir} is damaged (its hash does not match the manifest): re-copy or re-export the model`,
    );
  }
  return bytes;
}

/**
 * Checks a file too large to hold in memory (a graph's external weights, gigabytes at real
 * size) against the manifest's sha256 and size, reading it as a stream.
 */
export async function checkLargeFile(
  dir: string,
  file: string,
  expected: { sha256: string; bytes: number },
): Promise<void> {
  const damaged = () =>
    new ModelLoadError(
      `${file} in ${dir} is damaged (its size or hash does not match the manifest): re-copy or re-export the model`,
    );
  let opened: Awaited<ReturnType<typeof openModelFile>>;
  try {
    opened = await openModelFile(dir, file);
  } catch (err) {
    throw asLoadError(err, dir, file);
  }
  const { handle, size } = opened;
  try {
    if (size !== expected.bytes) throw damaged();
    const hash = createHash('sha256');
    await pipeline(handle.createReadStream({ autoClose: false }), hash);
    if (hash.digest('hex') !== expected.sha256) throw damaged();
  } finally {
    await handle.close();
  }
}
