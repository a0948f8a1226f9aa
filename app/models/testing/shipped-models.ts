/**
 * Manifests for tests: the shipped vq-ar export's, and a valid jpeg-lm one made from it
 * (32×32, 2×2 MCUs, 281 JPEG tokens) so manifest rules can be tested without a jpeg-lm export.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

export const EXPORTS_DIR = join(import.meta.dirname, '..', '..', '..', 'native-models', 'exports');

/** Folders under native-models/exports that hold a manifest. */
export function shippedModelDirs(): string[] {
  return existsSync(EXPORTS_DIR)
    ? readdirSync(EXPORTS_DIR).filter((d) => existsSync(join(EXPORTS_DIR, d, 'manifest.json')))
    : [];
}

/** The absolute folder of the first shipped export of `family`, or null when there is none. */
export function findShippedModelDir(family: string): string | null {
  const dir = shippedModelDirs().find(
    (d) =>
      (
        JSON.parse(readFileSync(join(EXPORTS_DIR, d, 'manifest.json'), 'utf8')) as {
          family?: string;
        }
      ).family === family,
  );
  return dir === undefined ? null : join(EXPORTS_DIR, dir);
}

/** What a test that needs the shipped `family` model says when it is not there. */
export function missingModel(family: string): string {
  return (
    `no exported ${family} model under native-models/exports: the shipped models are committed ` +
    `there (restore them from git), or export one with ` +
    `\`python -m tessera_models.${family.replace('-', '_')}.export\``
  );
}

/** The absolute folder of the first shipped export of `family` (tests that need a real model). */
export function shippedModelDir(family: string): string {
  const dir = findShippedModelDir(family);
  if (dir === null) throw new Error(missingModel(family));
  return dir;
}

/** The shipped vq-ar manifest as parsed JSON (other families' exports sit beside it). */
export function shippedVqArManifest(): Record<string, unknown> {
  const vqAr = shippedModelDirs()
    .map(
      (d) =>
        JSON.parse(readFileSync(join(EXPORTS_DIR, d, 'manifest.json'), 'utf8')) as Record<
          string,
          unknown
        >,
    )
    .find((m) => m.family === 'vq-ar');
  if (vqAr === undefined) throw new Error(missingModel('vq-ar'));
  return vqAr;
}

export function jpegLmManifest(): Record<string, unknown> {
  const m = shippedVqArManifest();
  const tokenizer = m.tokenizer as { vocabSize: number; sha256: string };
  const graphs = m.graphs as Record<string, unknown>;
  const hash = tokenizer.sha256;
  tokenizer.vocabSize = 2527;
  return {
    ...m,
    id: 'tessera/jpeg-lm-test',
    family: 'jpeg-lm',
    vq: undefined,
    graphs: { decoder: graphs.decoder },
    image: { ...(m.image as object), width: 32, height: 32, grid: 2, patch: 16 },
    jpeg: {
      quality: 25,
      subsampling: '4:2:0',
      restartInterval: 1,
      mcus: 4,
      mcusPerRow: 2,
      mcuSize: 16,
      maxMcuTokens: 252,
      tables: { file: 'tables.bin', sha256: hash },
      header: { file: 'header-32.bin', sha256: hash },
      bpe: { file: 'jpeg-bpe.json', sha256: hash, size: 281, offset: 2246 },
    },
    hf: { folder: 'hf', model: 'hf/onnx/model.onnx', sha256: hash },
  };
}
