/**
 * Imports a model folder into <home>/models: the files its manifest names (and a licence or
 * readme beside them, nothing else) are copied into a hidden temporary folder beside the
 * models, the copy is validated (its manifest, and every file the manifest names against its
 * size and sha256), and only then renamed into place, so a broken or half-copied model never
 * shows up as installed. A refusal says what is wrong and what to do.
 *
 * The folder is not trusted: every file is opened through model-file.ts (inside the folder,
 * regular, non-blocking), so a link to a file elsewhere on the disk or a named pipe is refused
 * rather than copied or waited on.
 */
import { createHash, randomBytes } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import { mkdir, readdir, rename, rm, stat } from 'node:fs/promises';
import { totalmem } from 'node:os';
import { basename, dirname, join, resolve } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { TesseraError } from '../common/errors.ts';
import { identityGraph, parseManifest, type ModelManifest } from '../common/model-manifest.ts';
import { installedModels } from './installed.ts';
import {
  MAX_MANIFEST_BYTES,
  ModelFileError,
  openModelFile,
  readManifestText,
} from './model-file.ts';

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
  /** Said when the model may not fit this machine's memory; null when it fits. */
  warning: string | null;
}

interface NamedFile {
  file: string;
  sha256: string;
  bytes?: number;
}

/** Every file the manifest names, once each, with its hash (and size, for graphs). */
export function namedFiles(m: ModelManifest): NamedFile[] {
  const files: NamedFile[] = [
    { file: m.tokenizer.file, sha256: m.tokenizer.sha256 },
    ...Object.values(m.graphs).map((g) => ({ file: g.file, sha256: g.sha256, bytes: g.bytes })),
    // A graph's weights kept beside it as external data travel and are checked like the graph.
    ...Object.values(m.graphs).flatMap((g) =>
      g.externalData === undefined ? [] : [g.externalData],
    ),
  ];
  if (m.jpeg !== undefined) files.push(m.jpeg.tables, m.jpeg.header, m.jpeg.bpe);
  if (m.retrieval !== undefined) files.push(m.retrieval.memory, m.retrieval.codes);
  const seen = new Set<string>();
  return files.filter((f) => !seen.has(f.file) && seen.add(f.file));
}

/** Beside the model's own files, only its licence and readme travel with it. */
const DOCUMENT = /^(licen[cs]e|copying|notice|readme)(\.(md|txt|rst))?$/i;
const MAX_DOCUMENT_BYTES = 1024 ** 2;

const modelFileRefusal = (err: unknown) =>
  err instanceof ModelFileError ? new ModelImportError('model-damaged', err.message) : err;

async function sha256Of(dir: string, file: string, shownAs: string): Promise<string> {
  const { handle } = await openModelFile(dir, file, { shownAs });
  const hash = createHash('sha256');
  try {
    for await (const chunk of handle.createReadStream({ autoClose: false }))
      hash.update(chunk as Buffer);
  } finally {
    await handle.close();
  }
  return hash.digest('hex');
}

/** Copies one file of the folder, through the same checks as reading it. */
async function copyModelFile(from: string, file: string, to: string, maxBytes?: number) {
  const { handle } = await openModelFile(from, file, { shownAs: from, maxBytes });
  try {
    await mkdir(dirname(join(to, file)), { recursive: true }); // a graph under onnx/, say
    await pipeline(
      handle.createReadStream({ autoClose: false }),
      createWriteStream(join(to, file), { flags: 'wx' }),
    );
  } finally {
    await handle.close();
  }
}

/** Checks a folder's manifest and files; returns the manifest or throws what is wrong. */
async function validate(dir: string, shownAs: string): Promise<ModelManifest> {
  let text: string;
  try {
    text = await readManifestText(dir, shownAs);
  } catch (err) {
    if (!(err instanceof ModelFileError)) throw err;
    if (err.problem !== 'missing') throw new ModelImportError('model-invalid', err.message);
    throw new ModelImportError(
      'not-a-model',
      `${shownAs} has no manifest.json: choose a model folder exported by Tessera (manifest.json beside its .onnx graphs)`,
    );
  }
  const parsed = parseManifest(text, `the manifest.json of ${shownAs}`);
  if (!parsed.ok) throw new ModelImportError('model-invalid', parsed.error.message);
  const manifest = parsed.value;
  for (const f of namedFiles(manifest)) {
    let size: number;
    try {
      const { handle, size: bytes } = await openModelFile(dir, f.file, { shownAs });
      await handle.close();
      size = bytes;
    } catch (err) {
      throw modelFileRefusal(err);
    }
    if (f.bytes !== undefined && size !== f.bytes)
      throw new ModelImportError(
        'model-damaged',
        `${f.file} in ${shownAs} is ${size} bytes, but its manifest says ${f.bytes}: the copy is incomplete; copy or download it again`,
      );
    if (
      (await sha256Of(dir, f.file, shownAs).catch((err) =>
        Promise.reject(modelFileRefusal(err)),
      )) !== f.sha256
    )
      throw new ModelImportError(
        'model-damaged',
        `${f.file} in ${shownAs} does not match its manifest's sha256: the file is damaged or from another export; copy or download it again`,
      );
  }
  return manifest;
}

const gib = (n: number) => `${(n / 1024 ** 3).toFixed(1)} GiB`;

/** A warning when the model wants more memory than the machine has, else null. */
export function memoryWarning(m: ModelManifest, machineBytes: number): string | null {
  const need = m.memory.recommendedRamBytes;
  if (need <= machineBytes) return null;
  return `${m.name} needs about ${gib(need)} of memory, but this computer has ${gib(machineBytes)}: it may be very slow or fail to load; close other programs, or use a smaller model`;
}

/** A folder name for the model under <home>/models: its id, and its decoder hash. */
function folderNameFor(m: ModelManifest): string {
  const decoder = identityGraph(m)?.sha256.slice(0, 10) ?? 'nodecoder';
  return `${m.id.replace(/[^a-z0-9._-]+/g, '--')}-${decoder}`;
}

export async function importModelFolder(
  home: string,
  source: string,
  machine: { memoryBytes: number } = { memoryBytes: totalmem() },
): Promise<ImportedModel> {
  const from = resolve(source);
  const info = await stat(from).catch(() => null);
  if (info === null || !info.isDirectory())
    throw new ModelImportError(
      'not-a-model',
      `${from} is not a folder: choose the model's folder (the one holding manifest.json)`,
    );
  // Refuse a broken folder before copying gigabytes of it.
  const manifest = await validate(from, from);
  const decoder = identityGraph(manifest)?.sha256;
  const same = (await installedModels(home)).find(
    (m) => m.manifest !== null && identityGraph(m.manifest)?.sha256 === decoder,
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
    for (const f of namedFiles(manifest)) await copyModelFile(from, f.file, temp);
    const documents = (await readdir(from, { withFileTypes: true })).filter(
      (e) => e.isFile() && DOCUMENT.test(e.name),
    );
    for (const d of documents) await copyModelFile(from, d.name, temp, MAX_DOCUMENT_BYTES);
    await copyModelFile(from, 'manifest.json', temp, MAX_MANIFEST_BYTES);
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
    throw modelFileRefusal(err);
  }
  return {
    id: manifest.id,
    name: manifest.name,
    family: manifest.family,
    dir: target,
    warning: memoryWarning(manifest, machine.memoryBytes),
  };
}
