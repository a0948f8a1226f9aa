/**
 * Finds installed models: the embedded defaults shipped with Tessera and the folders under
 * <home>/models, each identified by its manifest (and its decoder hash), not by its path.
 */
import { lstat, readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { DEFAULT_MODEL_ID } from '../common/default-model.ts';
import { TesseraError } from '../common/errors.ts';
import {
  identityGraph,
  isRunnableFamily,
  parseManifest,
  type ModelManifest,
} from '../common/model-manifest.ts';
import { ModelFileError, readManifestText } from './model-file.ts';

export { DEFAULT_MODEL_ID };

/** A model that is not installed, or installed but not usable: the message says which. */
export class ModelUnavailableError extends TesseraError {
  constructor(message: string) {
    super('model-unavailable', message);
  }
}

/** The models shipped with Tessera: next to the sources here, in the app's resources when
 * packaged (the desktop app sets TESSERA_EMBEDDED_MODELS to process.resourcesPath/models). */
export const EMBEDDED_DIR = fileURLToPath(new URL('../../native-models/exports', import.meta.url));
const embeddedDir = () => process.env.TESSERA_EMBEDDED_MODELS ?? EMBEDDED_DIR;

export interface InstalledModel {
  dir: string;
  source: 'embedded' | 'home';
  manifest: ModelManifest | null;
  /** Why the folder cannot be used, when manifest is null. */
  problem: string | null;
  /** The id the manifest claims, even when it does not validate (to name it in errors). */
  claimedId: string | null;
  bytes: number;
}

function claimedIdOf(text: string): string | null {
  try {
    const id = (JSON.parse(text) as { id?: unknown }).id;
    return typeof id === 'string' ? id : null;
  } catch {
    return null;
  }
}

/** The bytes of the folder's own regular files (links and special files are not followed). */
async function folderBytes(dir: string): Promise<number> {
  const entries = await readdir(dir, { withFileTypes: true }).catch(() => []);
  const sizes = await Promise.all(
    entries
      .filter((e) => e.isFile())
      .map((e) =>
        lstat(join(dir, e.name)).then(
          (s) => s.size,
          () => 0,
        ),
      ),
  );
  return sizes.reduce((sum, n) => sum + n, 0);
}

/** One folder of models: null when it holds no manifest.json at all. */
async function examine(dir: string, source: InstalledModel['source']) {
  let text: string;
  try {
    text = await readManifestText(dir);
  } catch (err) {
    if (!(err instanceof ModelFileError)) throw err;
    if (err.problem === 'missing') return null;
    const model: InstalledModel = {
      dir,
      source,
      manifest: null,
      problem: err.message,
      claimedId: null,
      bytes: await folderBytes(dir),
    };
    return model;
  }
  const parsed = parseManifest(text, join(dir, 'manifest.json'));
  const model: InstalledModel = {
    dir,
    source,
    manifest: parsed.ok ? parsed.value : null,
    problem: parsed.ok ? null : parsed.error.message,
    claimedId: claimedIdOf(text),
    bytes: await folderBytes(dir),
  };
  return model;
}

/**
 * The models in `root`, in folder-name order. Nothing here blocks the event loop: a studio
 * lists models while it serves the window, and a folder may sit on a slow disk.
 */
async function scan(root: string, source: InstalledModel['source']): Promise<InstalledModel[]> {
  const entries = await readdir(root, { withFileTypes: true }).catch(() => []);
  const folders = entries
    // Hidden folders are not models: a model being imported is copied into one first.
    .filter((e) => e.isDirectory() && !e.name.startsWith('.'))
    .map((e) => e.name)
    .sort();
  const found = await Promise.all(folders.map((name) => examine(join(root, name), source)));
  return found.filter((m): m is InstalledModel => m !== null);
}

export async function installedModels(home: string): Promise<InstalledModel[]> {
  const [embedded, own] = await Promise.all([
    scan(embeddedDir(), 'embedded'),
    scan(join(home, 'models'), 'home'),
  ]);
  return [...embedded, ...own];
}

/** By manifest id, folder name or decoder hash prefix; the embedded default when omitted. */
export async function resolveModel(
  home: string,
  wanted: string | undefined,
): Promise<InstalledModel & { manifest: ModelManifest }> {
  const models = await installedModels(home);
  const id = wanted ?? DEFAULT_MODEL_ID;
  const match = models.find(
    (m) =>
      m.claimedId === id ||
      m.dir.endsWith(`/${id}`) ||
      (id.length >= 10 && m.manifest != null && identityGraph(m.manifest)?.sha256.startsWith(id)),
  );
  if (match === undefined) {
    const known = models.filter((m) => m.manifest !== null).map((m) => m.manifest!.id);
    throw new ModelUnavailableError(
      `no installed model "${id}"; installed: ${known.join(', ') || 'none'} (see \`tessera models\`)`,
    );
  }
  if (match.manifest === null)
    throw new ModelUnavailableError(`model "${id}" cannot be used: ${match.problem}`);
  if (!isRunnableFamily(match.manifest.family)) {
    throw new ModelUnavailableError(
      `model "${id}" is a ${match.manifest.family} model, which this version of Tessera cannot run yet`,
    );
  }
  return match as InstalledModel & { manifest: ModelManifest };
}
