/**
 * The tiny Janus-Pro folder the tests run against: a random JanusForConditionalGeneration
 * built and converted by native-models' own code (build-tiny.py) into native-models/.cache on
 * first use — about 5 MB of graphs, too big to commit — and rebuilt whenever the converter's
 * sources or the common ones it uses change (a stamp of their hashes sits beside it).
 * reference.json holds transformers' own greedy generations from the same checkpoint.
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
  for (const part of ['janus', 'common']) {
    const dir = join(NATIVE, 'tessera_models', part);
    for (const file of readdirSync(dir).sort())
      if (file.endsWith('.py')) hash.update(file).update(readFileSync(join(dir, file)));
  }
  hash.update(readFileSync(join(import.meta.dirname, 'build-tiny.py')));
  hash.update(readFileSync(join(NATIVE, 'requirements.lock')));
  return hash.digest('hex');
}

const fresh = (stamp: string): boolean =>
  existsSync(join(TINY_DIR, 'reference.json')) &&
  existsSync(STAMP) &&
  readFileSync(STAMP, 'utf8') === stamp;

export function tinyJanusDir(): string {
  const stamp = sourceStamp();
  if (fresh(stamp)) return TINY_DIR;
  if (!existsSync(PYTHON))
    throw new Error(
      'the janus-pro tests build their model with native-models/.venv: run `npm run setup:python` first',
    );
  // Test files run in parallel processes: one builds, the others wait for its stamp.
  mkdirSync(CACHE, { recursive: true });
  const lock = join(CACHE, 'janus-pro-tiny.lock');
  try {
    mkdirSync(lock);
  } catch {
    const deadline = Date.now() + 15 * 60_000;
    while (Date.now() < deadline && existsSync(lock)) {
      if (fresh(stamp)) return TINY_DIR;
      Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 500);
    }
    rmSync(lock, { recursive: true, force: true }); // a build that died left it
    return tinyJanusDir();
  }
  try {
    if (fresh(stamp)) return TINY_DIR; // finished while this process looked
    return build(stamp);
  } finally {
    rmSync(lock, { recursive: true, force: true });
  }
}

function build(stamp: string): string {
  const staging = mkdtempSync(join(CACHE, 'janus-pro-tiny-building-'));
  const out = join(staging, 'model');
  execFileSync(PYTHON, [join(import.meta.dirname, 'build-tiny.py'), out], {
    cwd: NATIVE,
    env: { ...process.env, PYTHONPATH: NATIVE },
    stdio: ['ignore', 'ignore', 'pipe'], // its warnings are noise; a failure carries them
  });
  rmSync(STAMP, { force: true });
  rmSync(TINY_DIR, { recursive: true, force: true });
  renameSync(out, TINY_DIR);
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
