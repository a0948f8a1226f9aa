/**
 * Imports a model folder into <home>/models: the folder's files are copied into a hidden
 * temporary folder beside the models, the copy is validated (its manifest, and every file the
 * manifest names against its size and sha256), and only then renamed into place, so a broken
 * or half-copied model never shows up as installed. A refusal says what is wrong and what to do.
 */
import { createHash, randomBytes } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { copyFile, mkdir, readdir, readFile, rename, rm, stat } from 'node:fs/promises';
import { basename, join, resolve } from 'node:path';
import { TesseraError } from '../common/errors.ts';
import { parseManifest, type ModelManifest } from '../common/model-manifest.ts';
import { installedModels } from './installed.ts';

export type ModelImportRefusal =
  'not-a-model' | 'model-invalid' | 'model-damaged' | 'already-installed' | 'disk-full';

export class ModelImportError extends TesseraError<ModelImportRefusal> {
  override readonly name = 'ModelImportError';
}

export interface ImportedModel {
  id: string;
  name: string;
  family: string;
  dir: string;
}

/** Every file the manifest names, with its hash (and size, for graphs). */
function namedFiles(m: ModelManifest): { file: string; sha256: string; bytes?: number }[] {
  const files: { file: string; sha256: string; bytes?: number }[] = [
    { file: m.tokenizer.file, sha256: m.tokenizer.sha256 },
    ...Object.values(m.graphs).map((g) => ({ file: g.file, sha256: g.sha256, bytes: g.bytes })),
  ];
  if (m.jpeg !== undefined) files.push(m.jpeg.tables, m.jpeg.header, m.jpeg.bpe);
  return files;
}

async function sha256Of(path: string): Promise<string> {
  const hash = createHash('sha256');
  for await (const chunk of createReadStream(path)) hash.update(chunk as Buffer);
  return hash.digest('hex');
}

/** Checks a folder's manifest and files; returns the manifest or throws what is wrong. */
async function validate(dir: string, shownAs: string): Promise<ModelManifest> {
  let text: string;
  try {
    text = await readFile(join(dir, 'manifest.json'), 'utf8');
  } catch {
    throw new ModelImportError(
      'not-a-model',
      `${shownAs} has no manifest.json: choose a model folder exported by Tessera (manifest.json beside its .onnx graphs)`,
    );
  }
  const parsed = parseManifest(text, `the manifest.json of ${shownAs}`);
  if (!parsed.ok) throw new ModelImportError('model-invalid', parsed.error.message);
  const manifest = parsed.value;
  for (const f of namedFiles(manifest)) {
    const info = await stat(join(dir, f.file)).catch(() => null);
    if (info === null || !info.isFile())
      throw new ModelImportError(
        'model-damaged',
        `${shownAs} lacks ${f.file}, which its manifest names: copy the whole model folder, or export it again`,
      );
    if (f.bytes !== undefined && info.size !== f.bytes)
      throw new ModelImportError(
        'model-damaged',
        `${f.file} in ${shownAs} is ${info.size} bytes, but its manifest says ${f.bytes}: the copy is incomplete; copy or download it again`,
      );
    if ((await sha256Of(join(dir, f.file))) !== f.sha256)
      throw new ModelImportError(
        'model-damaged',
        `${f.file} in ${shownAs} does not match its manifest's sha256: the file is damaged or from another export; copy or download it again`,
      );
  }
  return manifest;
}

/** A folder name for the model under <home>/models: its id, and its decoder hash. */
function folderNameFor(m: ModelManifest): string {
  const decoder = m.graphs.decoder?.sha256.slice(0, 10) ?? 'nodecoder';
  return `${m.id.replace(/[^a-z0-9._-]+/g, '--')}-${decoder}`;
}

export async function importModelFolder(home: string, source: string): Promise<ImportedModel> {
  const from = resolve(source);
  const info = await stat(from).catch(() => null);
  if (info === null || !info.isDirectory())
    throw new ModelImportError(
      'not-a-model',
      `${from} is not a folder: choose the model's folder (the one holding manifest.json)`,
    );
  // Refuse a broken folder before copying gigabytes of it.
  const manifest = await validate(from, from);
  const decoder = manifest.graphs.decoder?.sha256;
  const same = installedModels(home).find(
    (m) => m.manifest !== null && m.manifest.graphs.decoder?.sha256 === decoder,
  );
  if (same !== undefined)
    throw new ModelImportError(
      'already-installed',
      `${manifest.id} with this decoder (${decoder?.slice(0, 10)}) is already installed (${same.source === 'embedded' ? 'it ships with Tessera' : same.dir})`,
    );

  const models = join(home, 'models');
  await mkdir(models, { recursive: true });
  const target = join(models, folderNameFor(manifest));
  if ((await stat(target).catch(() => null)) !== null)
    throw new ModelImportError(
      'already-installed',
      `${target} already exists: remove it (or the model in it) first`,
    );
  // Hidden and without a manifest until the end, so the model list never shows a partial copy.
  const temp = join(models, `.import-${randomBytes(6).toString('hex')}`);
  try {
    await mkdir(temp);
    const entries = await readdir(from, { withFileTypes: true });
    for (const e of entries)
      if (e.isFile() && e.name !== 'manifest.json')
        await copyFile(join(from, e.name), join(temp, e.name));
    await copyFile(join(from, 'manifest.json'), join(temp, 'manifest.json'));
    // The copy is what will run: check it, not only the source it came from.
    await validate(temp, `the copy of ${basename(from)}`);
    await rename(temp, target);
  } catch (err) {
    await rm(temp, { recursive: true, force: true });
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ENOSPC')
      throw new ModelImportError(
        'disk-full',
        `the disk is full: free space for the model (${folderNameFor(manifest)}) and import it again; nothing was installed`,
      );
    throw err;
  }
  return { id: manifest.id, name: manifest.name, family: manifest.family, dir: target };
}
