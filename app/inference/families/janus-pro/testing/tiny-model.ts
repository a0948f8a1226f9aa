/**
 * The tiny Janus-Pro folder the tests run against: a random JanusForConditionalGeneration
 * built and converted by native-models' own code (build-tiny.py) into native-models/.cache on
 * first use — about 5 MB of graphs, too big to commit — and rebuilt whenever the converter's
 * sources change (a stamp of their hashes sits beside it). reference.json holds transformers'
 * own greedy generations from the same checkpoint.
 */
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  renameSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { join } from 'node:path';

const NATIVE = join(import.meta.dirname, '..', '..', '..', '..', '..', 'native-models');
const CACHE = join(NATIVE, '.cache');
const TINY_DIR = join(CACHE, 'janus-pro-tiny');
const STAMP = join(CACHE, 'janus-pro-tiny.stamp');
const PYTHON = join(NATIVE, '.venv', 'bin', 'python');

export interface JanusReference {
  images: { prompt: string; ids: number[]; guidance: number; codes: number[] }[];
  caption: { ids: number[]; tokens: number[]; maxTokens: number };
}

function sourceStamp(): string {
  const hash = createHash('sha256');
  const dir = join(NATIVE, 'tessera_models', 'janus');
  for (const file of readdirSync(dir).sort())
    if (file.endsWith('.py')) hash.update(file).update(readFileSync(join(dir, file)));
  hash.update(readFileSync(join(import.meta.dirname, 'build-tiny.py')));
  hash.update(readFileSync(join(NATIVE, 'requirements.lock')));
  return hash.digest('hex');
}

export function tinyJanusDir(): string {
  const stamp = sourceStamp();
  if (
    existsSync(join(TINY_DIR, 'reference.json')) &&
    existsSync(STAMP) &&
    readFileSync(STAMP, 'utf8') === stamp
  )
    return TINY_DIR;
  if (!existsSync(PYTHON))
    throw new Error(
      'the janus-pro tests build their model with native-models/.venv: run `npm run setup:python` first',
    );
  mkdirSync(CACHE, { recursive: true });
  const staging = mkdtempSync(join(CACHE, 'janus-pro-tiny-building-'));
  const out = join(staging, 'model');
  execFileSync(PYTHON, [join(import.meta.dirname, 'build-tiny.py'), out], {
    cwd: NATIVE,
    env: { ...process.env, PYTHONPATH: NATIVE },
    stdio: ['ignore', 'ignore', 'pipe'], // its warnings are noise; a failure carries them
  });
  rmSync(TINY_DIR, { recursive: true, force: true });
  try {
    renameSync(out, TINY_DIR);
  } catch (error) {
    // Another test process finished the same build first: its copy is as good as this one.
    if (!existsSync(join(TINY_DIR, 'reference.json'))) throw error;
  }
  rmSync(staging, { recursive: true, force: true });
  writeFileSync(STAMP, stamp);
  return TINY_DIR;
}

export function tinyJanusReference(dir: string): JanusReference {
  return JSON.parse(readFileSync(join(dir, 'reference.json'), 'utf8')) as JanusReference;
}

/** The synthetic picture tessera_models.janus.reference.pattern_image draws, RGB [size, size, 3]. */
export function patternImage(size: number): Uint8Array {
  const rgb = new Uint8Array(size * size * 3);
  for (let y = 0; y < size; y++)
    for (let x = 0; x < size; x++) {
      const p = (y * size + x) * 3;
      rgb[p] = Math.floor((x * 255) / (size - 1));
      rgb[p + 1] = Math.floor((y * 255) / (size - 1));
      rgb[p + 2] = Math.abs(x - y) < Math.floor(size / 8) ? 230 : 40;
    }
  return rgb;
}
