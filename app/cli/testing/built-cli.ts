/**
 * The `tessera` command line as the tests run it: app/cli/tessera.ts and the inference host
 * bundled by esbuild into plain JavaScript, so that a test's dozens of commands each start
 * plain Node instead of compiling the sources through tsx again (about 1.6 s of CPU per
 * command, and as much again for each inference process it starts). bin/tessera.mjs, which
 * users run, loads the same sources through tsx; cli.test.ts runs it too.
 *
 * The bundle is built once and shared: a folder `out/test-cli-<key>/` whose key hashes the
 * size and modification time of every source file esbuild read for it, so editing any of them
 * builds a new one, and two test files starting at once may both build the same folder
 * (each writes a temporary folder and renames it into place).
 */
import { createHash } from 'node:crypto';
import {
  existsSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  renameSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { join } from 'node:path';
import { buildSync } from 'esbuild';

const ROOT = join(import.meta.dirname, '..', '..', '..');
// Two levels below the repository root, like the sources' app/<folder>/: the code finds the
// shipped models and the built studio at `../../native-models/exports` and `../../out/renderer`
// from its own file, and the bundled transport-node.ts finds host-node.mjs beside it.
const OUT = join(ROOT, 'out');
const PREFIX = 'test-cli-';
const INPUTS = 'inputs.json';
const STALE_MS = 60 * 60 * 1000;

/** A key for the current state of these source files (repository-relative paths). */
function keyOf(inputs: readonly string[]): string | null {
  const hash = createHash('sha256');
  for (const input of inputs) {
    const path = join(ROOT, input);
    if (!existsSync(path)) return null;
    const { size, mtimeMs } = statSync(path);
    hash.update(`${input}\0${size}\0${mtimeMs}\n`);
  }
  return hash.digest('hex').slice(0, 16);
}

/** A bundle already built from the sources as they are now, if there is one. */
function upToDate(): string | null {
  if (!existsSync(OUT)) return null;
  for (const name of readdirSync(OUT)) {
    if (!name.startsWith(PREFIX)) continue;
    const dir = join(OUT, name);
    const inputs = join(dir, INPUTS);
    if (!existsSync(inputs)) continue;
    if (keyOf(JSON.parse(readFileSync(inputs, 'utf8')) as string[]) === name.slice(PREFIX.length))
      return dir;
  }
  return null;
}

function build(): string {
  const result = buildSync({
    absWorkingDir: ROOT,
    entryPoints: { tessera: 'app/cli/tessera.ts', 'host-node': 'app/inference/host-node.ts' },
    outExtension: { '.js': '.mjs' },
    outdir: 'out',
    write: false,
    metafile: true,
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node20',
    packages: 'external',
    logLevel: 'error',
  });
  const inputs = Object.keys(result.metafile.inputs).sort();
  const key = keyOf(inputs);
  if (key === null) throw new Error('a source file vanished while the CLI was being bundled');
  const dir = join(OUT, `${PREFIX}${key}`);
  if (existsSync(join(dir, INPUTS))) return dir;
  const staging = join(OUT, `.${PREFIX}${key}-${process.pid}`);
  mkdirSync(staging, { recursive: true });
  for (const file of result.outputFiles)
    writeFileSync(join(staging, file.path.slice(file.path.lastIndexOf('/') + 1)), file.contents);
  writeFileSync(join(staging, INPUTS), JSON.stringify(inputs));
  try {
    renameSync(staging, dir);
  } catch (err) {
    // Another test process put the same bundle there first.
    rmSync(staging, { recursive: true, force: true });
    if (!existsSync(join(dir, INPUTS))) throw err;
  }
  pruneStale(dir);
  return dir;
}

/** Bundles of earlier sources, left alone for an hour in case a test process still runs one. */
function pruneStale(current: string): void {
  for (const name of readdirSync(OUT)) {
    const dir = join(OUT, name);
    if (!name.startsWith(PREFIX) || dir === current) continue;
    if (Date.now() - statSync(dir).mtimeMs > STALE_MS)
      rmSync(dir, { recursive: true, force: true });
  }
}

/** Path of the bundled `tessera` entry point: run it as `node <path> ARGS...`. */
export const TESSERA_CLI = join(upToDate() ?? build(), 'tessera.mjs');
