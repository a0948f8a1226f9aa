import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import {
  cpSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import sharp from 'sharp';
import { recipeSchema, parseInfotext } from '../common/recipe.ts';
import { readPngText } from '../media/png.ts';
import { DEFAULT_MODEL_ID } from '../models/installed.ts';
import { shippedModelDir, shippedVqArManifest } from '../models/testing/shipped-models.ts';
import { TESSERA_CLI } from './testing/built-cli.ts';

const root = join(import.meta.dirname, '..', '..');
const work = mkdtempSync(join(tmpdir(), 'tessera-cli-'));
const home = join(work, 'home');
after(() => rmSync(work, { recursive: true, force: true }));

/** Runs the CLI: the tests' bundle of it, or `bin/tessera.mjs` (the sources through tsx). */
function tessera(...args: string[]): { code: number; stdout: string; stderr: string } {
  return run(TESSERA_CLI, args);
}

function run(entry: string, args: string[]): { code: number; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, [entry, ...args, '--home', home], {
    encoding: 'utf8',
    timeout: 120_000,
  });
  return { code: r.status ?? -1, stdout: r.stdout, stderr: r.stderr };
}

/** A failed command: non-zero exit, one line on stderr naming the problem, no output file. */
function assertRefused(result: ReturnType<typeof tessera>, pattern: RegExp, out?: string): void {
  assert.notEqual(result.code, 0, result.stdout);
  const lines = result.stderr.trim().split('\n');
  assert.equal(lines.length, 1, result.stderr);
  assert.match(lines[0]!, /^tessera: /);
  assert.match(lines[0]!, pattern);
  if (out !== undefined)
    assert.equal(existsSync(out), false, `${out} must not exist after a failure`);
  assert.deepEqual(
    readdirSync(work).filter((f) => f.endsWith('.tmp')),
    [],
    'no temp files left',
  );
}

test('generate writes a PNG whose recipe replays byte for byte', () => {
  const out = join(work, 'heart.png');
  const r = tessera(
    'generate',
    '--prompt',
    'red heart',
    '--style',
    'twemoji',
    '--seed',
    '7',
    '--out',
    out,
  );
  assert.equal(r.code, 0, r.stderr);
  const text = readPngText(readFileSync(out));
  const recipe = recipeSchema.parse(JSON.parse(text.tessera!));
  assert.equal(recipe.modelId, DEFAULT_MODEL_ID);
  assert.equal(recipe.seed, 7);
  assert.equal(recipe.style, 'twemoji');
  const info = parseInfotext(text.parameters!);
  assert.equal(info.prompt, 'red heart');
  assert.equal(info.settings.Seed, '7');
  assert.equal(info.settings['Model hash'], recipe.modelSha256.slice(0, 10));
  const replay = tessera('generate', '--replay', out, '--json');
  assert.equal(replay.code, 0, replay.stderr);
  assert.equal(JSON.parse(replay.stdout).identical, true);
  // Again as users run it, from the sources through tsx: the same bytes.
  const again = join(work, 'heart-again.png');
  const fromSource = run(join(root, 'bin', 'tessera.mjs'), [
    'generate',
    '--prompt',
    'red heart',
    '--style',
    'twemoji',
    '--seed',
    '7',
    '--out',
    again,
  ]);
  assert.equal(fromSource.code, 0, fromSource.stderr);
  assert.deepEqual(readFileSync(again), readFileSync(out));
});

test('best-of-N keeps the candidate the model scores highest, and says so', () => {
  const out = join(work, 'best.png');
  const r = tessera(
    'generate',
    '--prompt',
    'sun',
    '--seed',
    '3',
    '--best-of',
    '3',
    '--out',
    out,
    '--json',
  );
  assert.equal(r.code, 0, r.stderr);
  const { results } = JSON.parse(r.stdout) as {
    results: { imageIndex: number; scores: number[] }[];
  };
  const scores = results[0]!.scores;
  assert.equal(scores.length, 3);
  assert.equal(results[0]!.imageIndex, scores.indexOf(Math.max(...scores)));
  const recipe = recipeSchema.parse(JSON.parse(readPngText(readFileSync(out)).tessera!));
  assert.equal(recipe.selfScore?.candidates, 3);
});

test("without --best-of, a generation ranks as many candidates as the model's manifest says", () => {
  const manifest = shippedVqArManifest() as { sampling: { defaults: { bestOf?: number } } };
  const { bestOf } = manifest.sampling.defaults;
  const r = tessera('generate', '--prompt', 'sun', '--seed', '3', '--json');
  assert.equal(r.code, 0, r.stderr);
  const { results } = JSON.parse(r.stdout) as { results: { scores: number[] | null }[] };
  const scores = results[0]!.scores;
  assert.equal(scores?.length ?? 1, bestOf ?? 1);
});

test('infill, caption and score run on real images', async () => {
  const source = join(work, 'heart.png');
  const mask = join(work, 'mask.png');
  const m = Buffer.alloc(32 * 32);
  for (let y = 8; y < 24; y++) for (let x = 8; x < 24; x++) m[y * 32 + x] = 255;
  await sharp(m, { raw: { width: 32, height: 32, channels: 1 } })
    .png()
    .toFile(mask);
  const out = join(work, 'infilled.png');
  const r = tessera(
    'infill',
    '--image',
    source,
    '--mask',
    mask,
    '--prompt',
    'blue heart',
    '--seed',
    '2',
    '--out',
    out,
  );
  assert.equal(r.code, 0, r.stderr);
  const recipe = recipeSchema.parse(JSON.parse(readPngText(readFileSync(out)).tessera!));
  assert.equal(recipe.task, 'infill');
  assert.ok(recipe.parent !== null);
  const cap = tessera('caption', source, '--json');
  assert.equal(cap.code, 0, cap.stderr);
  assert.equal(typeof JSON.parse(cap.stdout).caption, 'string');
  const score = tessera(
    'score',
    '--image',
    source,
    '--text',
    'red heart',
    '--text',
    'rocket',
    '--json',
  );
  assert.equal(score.code, 0, score.stderr);
  assert.equal(JSON.parse(score.stdout).scores.length, 2);
});

test('bad settings and prompts are refused before any work', () => {
  const out = join(work, 'never.png');
  assertRefused(
    tessera('generate', '--prompt', 'x', '--seed', '4294967296', '--out', out),
    /--seed must be between 0 and 4294967295/,
    out,
  );
  assertRefused(
    tessera('generate', '--prompt', 'x', '--cfg', '500', '--out', out),
    /--cfg must be between/,
    out,
  );
  assertRefused(
    tessera('generate', '--prompt', 'x', '--top-p', 'lots', '--out', out),
    /--top-p must be a number/,
    out,
  );
  assertRefused(
    tessera('generate', '--prompt', 'x', '--count', '0', '--out', out),
    /--count must be between 1 and 64/,
    out,
  );
  assertRefused(tessera('generate', '--prompt', 'a'.repeat(2001), '--out', out), /2,000/, out);
  assertRefused(tessera('generate', '--prompt', '   ', '--out', out), /describe the image/, out);
  assertRefused(
    tessera('generate', '--prompt', 'x', '--out', join(work, 'x.jpg')),
    /must name a \.png file/,
  );
  assertRefused(
    tessera('generate', '--prompt', 'x', '--style', 'emojidex', '--out', out),
    /--style must be one of/,
    out,
  );
  assertRefused(
    tessera('generate', '--prompt', 'x', '--out', join(work, 'no-such-dir', 'x.png')),
    /folder .* does not exist/,
  );
});

test('missing, damaged and too-new models are named, with what to do', () => {
  const out = join(work, 'never.png');
  assertRefused(
    tessera('generate', '--prompt', 'x', '--model', 'acme/nothing', '--out', out),
    /no installed model "acme\/nothing"/,
    out,
  );
  const damaged = join(home, 'models', 'damaged');
  mkdirSync(join(home, 'models'), { recursive: true });
  cpSync(shippedModelDir('vq-ar'), damaged, { recursive: true });
  const manifest = JSON.parse(readFileSync(join(damaged, 'manifest.json'), 'utf8'));
  manifest.id = 'test/damaged';
  manifest.graphs.decoder.sha256 = 'f'.repeat(64);
  writeFileSync(join(damaged, 'manifest.json'), JSON.stringify(manifest));
  assertRefused(
    tessera('generate', '--prompt', 'x', '--model', 'test/damaged', '--out', out),
    /decoder.onnx .* is damaged/,
    out,
  );
  manifest.id = 'test/newer';
  manifest.manifestVersion = 99;
  writeFileSync(join(damaged, 'manifest.json'), JSON.stringify(manifest));
  assertRefused(
    tessera('generate', '--prompt', 'x', '--model', 'test/newer', '--out', out),
    /newer Tessera/,
    out,
  );
  rmSync(damaged, { recursive: true });
});

test('unreadable images and empty or full masks are refused', async () => {
  const out = join(work, 'never.png');
  const notImage = join(work, 'notes.png');
  writeFileSync(notImage, 'this is not a picture');
  const full = join(work, 'full.png');
  await sharp(Buffer.alloc(32 * 32, 255), { raw: { width: 32, height: 32, channels: 1 } })
    .png()
    .toFile(full);
  const empty = join(work, 'empty.png');
  await sharp(Buffer.alloc(32 * 32), { raw: { width: 32, height: 32, channels: 1 } })
    .png()
    .toFile(empty);
  const source = join(work, 'heart.png');
  assertRefused(
    tessera(
      'infill',
      '--image',
      join(work, 'nope.png'),
      '--mask',
      full,
      '--prompt',
      'x',
      '--out',
      out,
    ),
    /does not exist/,
    out,
  );
  assertRefused(
    tessera('infill', '--image', notImage, '--mask', full, '--prompt', 'x', '--out', out),
    /not a readable image/,
    out,
  );
  assertRefused(
    tessera('infill', '--image', source, '--mask', empty, '--prompt', 'x', '--out', out),
    /empty \(all black\)/,
    out,
  );
  assertRefused(
    tessera('infill', '--image', source, '--mask', full, '--prompt', 'x', '--out', out),
    /covers the whole image/,
    out,
  );
  assertRefused(tessera('generate', '--replay', notImage), /cannot be replayed: not a PNG/);
});

test('models --json lists the embedded default with its metrics', () => {
  const r = tessera('models', '--json');
  assert.equal(r.code, 0, r.stderr);
  const rows = JSON.parse(r.stdout) as {
    id: string;
    usable: boolean;
    metrics: Record<string, unknown>;
  }[];
  const def = rows.find((x) => x.id === DEFAULT_MODEL_ID);
  assert.ok(def !== undefined && def.usable);
  assert.ok('tokenizerPsnrDb' in def.metrics);
});
