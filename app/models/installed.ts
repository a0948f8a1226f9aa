/**
 * Finds installed models: the embedded defaults shipped with Tessera and the folders under
 * <home>/models, each identified by its manifest (and its decoder hash), not by its path.
 */
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { DEFAULT_MODEL_ID } from '../common/default-model.ts';
import { TesseraError } from '../common/errors.ts';
import { isRunnableFamily, parseManifest, type ModelManifest } from '../common/model-manifest.ts';

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

function scan(root: string, source: InstalledModel['source']): InstalledModel[] {
  if (!existsSync(root)) return [];
  return (
    readdirSync(root, { withFileTypes: true })
      // Hidden folders are not models: a model being imported is copied into one first.
      .filter(
        (e) =>
          e.isDirectory() &&
          !e.name.startsWith('.') &&
          existsSync(join(root, e.name, 'manifest.json')),
      )
      .map((e) => {
        const dir = join(root, e.name);
        const text = readFileSync(join(dir, 'manifest.json'), 'utf8');
        const parsed = parseManifest(text, join(dir, 'manifest.json'));
        const claimedId = claimedIdOf(text);
        const bytes = readdirSync(dir).reduce((sum, f) => sum + statSync(join(dir, f)).size, 0);
        return parsed.ok
          ? { dir, source, manifest: parsed.value, problem: null, claimedId, bytes }
          : { dir, source, manifest: null, problem: parsed.error.message, claimedId, bytes };
      })
  );
}

export function installedModels(home: string): InstalledModel[] {
  return [...scan(embeddedDir(), 'embedded'), ...scan(join(home, 'models'), 'home')];
}

/** By manifest id, folder name or decoder hash prefix; the embedded default when omitted. */
export function resolveModel(
  home: string,
  wanted: string | undefined,
): InstalledModel & { manifest: ModelManifest } {
  const models = installedModels(home);
  const id = wanted ?? DEFAULT_MODEL_ID;
  const match = models.find(
    (m) =>
      m.claimedId === id ||
      m.dir.endsWith(`/${id}`) ||
      (id.length >= 10 && m.manifest?.graphs.decoder?.sha256.startsWith(id)),
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
