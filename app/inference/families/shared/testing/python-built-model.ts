/**
 * A model folder the tests build with native-models' own Python code on first use, into
 * native-models/.cache, and rebuild whenever the sources it was built from change (a stamp of
 * their hashes sits beside it). Test files run in parallel processes: one builds under a lock
 * folder while the others wait for its stamp, so none ever reads a half-written folder.
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

export const NATIVE = join(import.meta.dirname, '..', '..', '..', '..', '..', 'native-models');
export const PYTHON = join(NATIVE, '.venv', 'bin', 'python');
const CACHE = join(NATIVE, '.cache');

export interface PythonBuiltModel {
  /** Folder name under native-models/.cache. */
  name: string;
  /** Who needs it, for the missing-venv message ("the jetformer tests"). */
  usedBy: string;
  /** The build script, given the output folder as its one argument. */
  script: string;
  /** Folders under native-models/tessera_models whose Python sources the build depends on. */
  packages: string[];
  /** Other files the build depends on (the script is always one). */
  alsoHashed?: string[];
  /** A file the finished folder always holds. */
  marker: string;
  /** Where the script's stderr goes: 'pipe' keeps noisy warnings out (a failure carries them). */
  stderr?: 'pipe' | 'inherit';
}

function sourceStamp(spec: PythonBuiltModel): string {
  const hash = createHash('sha256');
  for (const pkg of spec.packages) {
    const dir = join(NATIVE, 'tessera_models', pkg);
    for (const file of readdirSync(dir, { recursive: true, encoding: 'utf8' }).sort())
      if (file.endsWith('.py')) hash.update(file).update(readFileSync(join(dir, file)));
  }
  for (const file of [spec.script, ...(spec.alsoHashed ?? [])]) hash.update(readFileSync(file));
  return hash.digest('hex');
}

/** The built folder, building it first when it is missing or its sources changed. */
export function pythonBuiltModel(spec: PythonBuiltModel): string {
  const dir = join(CACHE, spec.name);
  const stampFile = join(CACHE, `${spec.name}.stamp`);
  const stamp = sourceStamp(spec);
  const fresh = () =>
    existsSync(join(dir, spec.marker)) &&
    existsSync(stampFile) &&
    readFileSync(stampFile, 'utf8') === stamp;
  if (fresh()) return dir;
  if (!existsSync(PYTHON))
    throw new Error(
      `${spec.usedBy} build their model with native-models/.venv: run \`npm run setup:python\` first`,
    );
  mkdirSync(CACHE, { recursive: true });
  const lock = join(CACHE, `${spec.name}.lock`);
  try {
    mkdirSync(lock);
  } catch {
    const deadline = Date.now() + 15 * 60_000;
    while (Date.now() < deadline && existsSync(lock)) {
      if (fresh()) return dir;
      Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 500);
    }
    rmSync(lock, { recursive: true, force: true }); // a build that died left it
    return pythonBuiltModel(spec);
  }
  try {
    if (fresh()) return dir; // finished while this process looked
    const staging = mkdtempSync(join(CACHE, `${spec.name}-building-`));
    const out = join(staging, 'model');
    execFileSync(PYTHON, [spec.script, out], {
      cwd: NATIVE,
      env: { ...process.env, PYTHONPATH: NATIVE },
      stdio: ['ignore', 'ignore', spec.stderr ?? 'inherit'],
    });
    rmSync(stampFile, { force: true });
    rmSync(dir, { recursive: true, force: true });
    renameSync(out, dir);
    rmSync(staging, { recursive: true, force: true });
    writeFileSync(stampFile, stamp);
    return dir;
  } finally {
    rmSync(lock, { recursive: true, force: true });
  }
}
