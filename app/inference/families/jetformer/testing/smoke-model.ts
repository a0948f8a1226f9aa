/**
 * The jetformer export the tests run against: the smoke preset, trained and exported by
 * native-models' own code (build-smoke.py) into native-models/.cache on first use — its graphs
 * are about 2.4 MB, too big to commit — and rebuilt whenever the Python family's sources change
 * (a stamp of their hashes sits beside it). Its pictures are noise; its goldens are what the
 * TypeScript loop must reproduce. TESSERA_JETFORMER_DIR names another export with golden.json
 * (the shipped model, say) to hold the loop to instead.
 */
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import {
  cpSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  renameSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const NATIVE = join(import.meta.dirname, '..', '..', '..', '..', '..', 'native-models');
const CACHE = join(NATIVE, '.cache');
const SMOKE_DIR = join(CACHE, 'jetformer-smoke');
const STAMP = join(CACHE, 'jetformer-smoke.stamp');
const PYTHON = join(NATIVE, '.venv', 'bin', 'python');

/** Hash of every Python source the smoke export depends on most directly. */
export function sourceStamp(): string {
  const hash = createHash('sha256');
  const dirs = [
    join(NATIVE, 'tessera_models', 'jetformer'),
    join(NATIVE, 'tessera_models', 'common'),
  ];
  for (const dir of dirs)
    for (const file of readdirSync(dir, { recursive: true, encoding: 'utf8' }).sort())
      if (file.endsWith('.py')) hash.update(file).update(readFileSync(join(dir, file)));
  hash.update(readFileSync(join(import.meta.dirname, 'build-smoke.py')));
  return hash.digest('hex');
}

export function smokeModelDir(): string {
  const override = process.env.TESSERA_JETFORMER_DIR;
  if (override !== undefined) return override;
  const stamp = sourceStamp();
  const fresh =
    existsSync(join(SMOKE_DIR, 'golden.json')) &&
    existsSync(STAMP) &&
    readFileSync(STAMP, 'utf8') === stamp;
  if (fresh) return SMOKE_DIR;
  // Test files run in parallel processes: one builds, the others wait for its stamp.
  mkdirSync(CACHE, { recursive: true });
  const lock = join(CACHE, 'jetformer-smoke.lock');
  try {
    mkdirSync(lock);
  } catch {
    const deadline = Date.now() + 15 * 60_000;
    while (Date.now() < deadline && existsSync(lock)) {
      if (existsSync(STAMP) && readFileSync(STAMP, 'utf8') === stamp) return SMOKE_DIR;
      Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 500);
    }
    rmSync(lock, { recursive: true, force: true }); // a build that died left it
    return smokeModelDir();
  }
  try {
    return buildSmoke(stamp);
  } finally {
    rmSync(lock, { recursive: true, force: true });
  }
}

function buildSmoke(stamp: string): string {
  if (!existsSync(PYTHON))
    throw new Error(
      'the jetformer tests build their model with native-models/.venv: run `npm run setup:python` first',
    );
  const staging = mkdtempSync(join(CACHE, 'jetformer-smoke-building-'));
  const out = join(staging, 'model');
  execFileSync(PYTHON, [join(import.meta.dirname, 'build-smoke.py'), out], {
    cwd: NATIVE,
    env: { ...process.env, PYTHONPATH: NATIVE },
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  rmSync(SMOKE_DIR, { recursive: true, force: true });
  try {
    renameSync(out, SMOKE_DIR);
  } catch (error) {
    // Another test process finished the same build first: its copy is as good as this one.
    if (!existsSync(join(SMOKE_DIR, 'golden.json'))) throw error;
  }
  rmSync(staging, { recursive: true, force: true });
  writeFileSync(STAMP, stamp);
  return SMOKE_DIR;
}

/** A copy of the smoke export in a fresh temporary folder, for tests that change it. */
export function copyOfSmokeModel(): string {
  const dir = mkdtempSync(join(tmpdir(), 'tessera-jetformer-'));
  cpSync(smokeModelDir(), dir, { recursive: true });
  return dir;
}

/** Damages one graph's weights in a copied export, keeping its interface (damage-graph.py). */
export function damageGraph(dir: string, role: string, mode: 'shift' | 'nan'): void {
  execFileSync(PYTHON, [join(import.meta.dirname, 'damage-graph.py'), dir, role, mode], {
    stdio: ['ignore', 'ignore', 'inherit'],
  });
}
