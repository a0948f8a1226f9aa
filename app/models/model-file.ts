/**
 * Opens the files a model folder holds without trusting the folder. A model folder comes from a
 * download or a colleague, so a file it names may be a link to somewhere else on the disk, a
 * named pipe that would block a read forever, or a manifest of gigabytes. Here every file is
 * found by its plain name inside the folder, followed through links only while it stays inside
 * (by real path), checked to be a regular file before it is opened, opened non-blocking, and
 * checked again once open (it may have been swapped in between).
 *
 * A refusal never says whether something outside the folder exists, and never quotes a file.
 */
import { constants } from 'node:fs';
import { lstat, open, realpath, type FileHandle } from 'node:fs/promises';
import { join, sep } from 'node:path';
import { TesseraError } from '../common/errors.ts';
import { isPlainName } from '../common/model-manifest.ts';

/** A file of the folder or of a folder inside it ('onnx/model.onnx'): no way up or out. */
const isInnerPath = (file: string): boolean => file.split('/').every(isPlainName);

/** Shipped manifests are about 16 KB; anything near this is not a manifest. */
export const MAX_MANIFEST_BYTES = 1024 ** 2;

export type ModelFileProblem = 'missing' | 'outside' | 'special' | 'too-large';

export class ModelFileError extends TesseraError<'model-file'> {
  constructor(
    readonly problem: ModelFileProblem,
    message: string,
  ) {
    super('model-file', message);
  }
}

function refusal(problem: ModelFileProblem, file: string, shownAs: string, extra = ''): never {
  const words: Record<ModelFileProblem, string> = {
    missing: `${shownAs} lacks ${file}, which its manifest names: copy the whole model folder, or export it again`,
    outside: `${file} in ${shownAs} is not a file of the model folder (a manifest may name only files inside it, and links must stay inside it): put the file itself in the folder, or export the model again`,
    special: `${file} in ${shownAs} is not a regular file (a folder, named pipe or device): put the file itself in the folder, or export the model again`,
    'too-large': `${file} in ${shownAs} is ${extra}: it is not a Tessera model file; export the model again`,
  };
  throw new ModelFileError(problem, words[problem]);
}

const inside = (realDir: string, path: string) => path.startsWith(realDir + sep);

/**
 * Where `file` of the model folder `dir` really is: a regular file inside the folder, or a
 * ModelFileError. A link leading outside and a link leading nowhere get the same words, so the
 * answer says nothing about the rest of the disk. A file in a subfolder is checked by its real
 * path, so a linked subfolder cannot lead out either.
 */
export async function locateModelFile(
  dir: string,
  file: string,
  shownAs: string = dir,
): Promise<string> {
  if (!isInnerPath(file)) refusal('outside', file, shownAs);
  const realDir = await realpath(dir).catch(() => null);
  if (realDir === null) refusal('missing', file, shownAs);
  const path = join(realDir, file);
  const entry = await lstat(path).catch(() => null);
  if (entry === null) refusal('missing', file, shownAs);
  let real = path;
  if (entry.isSymbolicLink() || file.includes('/')) {
    const target = await realpath(path).catch(() => null);
    if (target === null || !inside(realDir, target)) refusal('outside', file, shownAs);
    real = target;
  }
  const info = entry.isSymbolicLink() ? await lstat(real).catch(() => null) : entry;
  if (info === null) refusal('missing', file, shownAs);
  if (!info.isFile()) refusal('special', file, shownAs);
  return real;
}

const mib = (n: number) => `${(n / 1024 ** 2).toFixed(1)} MiB`;

/**
 * Opens `file` of the model folder for reading. A FIFO swapped in after the check cannot block
 * (O_NONBLOCK), and is refused once open. The caller closes the handle.
 */
export async function openModelFile(
  dir: string,
  file: string,
  options: { shownAs?: string; maxBytes?: number } = {},
): Promise<{ handle: FileHandle; size: number }> {
  const shownAs = options.shownAs ?? dir;
  const real = await locateModelFile(dir, file, shownAs);
  let handle: FileHandle;
  try {
    handle = await open(real, constants.O_RDONLY | constants.O_NONBLOCK | constants.O_NOFOLLOW);
  } catch {
    refusal('missing', file, shownAs);
  }
  try {
    const info = await handle.stat();
    if (!info.isFile()) refusal('special', file, shownAs);
    if (options.maxBytes !== undefined && info.size > options.maxBytes)
      refusal('too-large', file, shownAs, `${mib(info.size)}, over ${mib(options.maxBytes)}`);
    return { handle, size: info.size };
  } catch (err) {
    await handle.close();
    throw err;
  }
}

export async function readModelFile(
  dir: string,
  file: string,
  options: { shownAs?: string; maxBytes?: number } = {},
): Promise<Buffer> {
  const { handle } = await openModelFile(dir, file, options);
  try {
    return await handle.readFile();
  } finally {
    await handle.close();
  }
}

/** A model folder's manifest.json text, refused when it is not a small regular file. */
export async function readManifestText(dir: string, shownAs: string = dir): Promise<string> {
  const bytes = await readModelFile(dir, 'manifest.json', {
    shownAs,
    maxBytes: MAX_MANIFEST_BYTES,
  });
  return bytes.toString('utf8');
}
