/**
 * A diffusion model's steps and sampler through the `tessera` command line, with the transfusion
 * smoke export installed in the data folder: --steps and --sampler reach the model, the recipe
 * records them (the manifest's defaults when none are given), the PNG's AUTOMATIC1111
 * `parameters` say the denoising steps and sampler as ExifTool and sd-parsers (readers nobody on
 * this project wrote) read them, a replay is byte-identical, and absurd values are refused with
 * the allowed range before anything is queued. Token models refuse the options.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import sharp from 'sharp';
import type { Sampling } from '../common/inference-contract.ts';
import type { Recipe } from '../common/recipe.ts';
import { readManifest } from '../inference/families/manifest-file.ts';
import { SMOKE_DIR } from '../inference/families/transfusion/testing/test-model.ts';
import { readTags, requireExiftool } from '../media/testing/exiftool.ts';
import { readPngText } from '../media/png.ts';
import { shippedModelDir } from '../models/testing/shipped-models.ts';
import { CliError } from './errors.ts';
import { diffusionFromOptions } from './options.ts';
import { TESSERA_CLI } from './testing/built-cli.ts';

requireExiftool();

const root = join(import.meta.dirname, '..', '..');
const python = join(root, 'native-models', '.venv', 'bin', 'python');
const probe = join(root, 'app', 'library', 'testing', 'sd_parsers_probe.py');
const work = mkdtempSync(join(tmpdir(), 'tessera-denoising-'));
const home = join(work, 'home');
const MODEL = (JSON.parse(readFileSync(join(SMOKE_DIR, 'manifest.json'), 'utf8')) as { id: string })
  .id;
const SAMPLING: Sampling = { cfgScale: 3, temperature: 1, topK: 0, topP: 1, cdk: null };
after(() => rmSync(work, { recursive: true, force: true }));

before(() => {
  cpSync(SMOKE_DIR, join(home, 'models', 'transfusion-smoke'), { recursive: true });
});

function tessera(...args: string[]) {
  return spawnSync(process.execPath, [TESSERA_CLI, ...args, '--home', home], {
    encoding: 'utf8',
    timeout: 180_000,
  });
}

function ok(...args: string[]): string {
  const r = tessera(...args);
  assert.equal(r.status, 0, `tessera ${args.join(' ')}\n${r.stderr}`);
  return r.stdout;
}

const recipeOf = (file: string) => JSON.parse(readPngText(readFileSync(file)).tessera!) as Recipe;

function sdParsers(file: string): { generator: string; steps: string; sampler: string } {
  const r = spawnSync(python, [probe, 'read', file], { encoding: 'utf8', timeout: 120_000 });
  assert.equal(r.status, 0, r.stderr);
  return JSON.parse(r.stdout.trim()) as { generator: string; steps: string; sampler: string };
}

test('--steps and --sampler reach the model, the recipe and the PNG parameters; replay is byte-identical', () => {
  const out = join(work, 'three.png');
  const base = ['generate', '--model', MODEL, '--prompt', 'red heart', '--seed', '5'];
  ok(...base, '--steps', '3', '--sampler', 'ddim', '--out', out);
  const recipe = recipeOf(out);
  assert.equal(recipe.steps, 3);
  assert.deepEqual(recipe.sampling.diffusion, { steps: 3, sampler: 'ddim' });

  const parameters = String(readTags(out)['PNG:Parameters']);
  assert.match(parameters, /\nSteps: 3, Sampler: DDIM, CFG scale: 3, Seed: 5,/);
  assert.doesNotMatch(parameters, /Top p|Temperature|CD-K/, 'token sampling settings do not apply');
  const theirs = sdParsers(out);
  assert.equal(theirs.generator, 'AUTOMATIC1111');
  assert.equal(theirs.steps, '3');
  assert.equal(theirs.sampler, 'DDIM');

  const replay = JSON.parse(ok('generate', '--replay', out, '--json').trim().split('\n').pop()!);
  assert.equal(replay.identical, true);

  // Another step count draws another picture from the same seed.
  const four = join(work, 'four.png');
  ok(...base, '--steps', '4', '--out', four);
  assert.equal(recipeOf(four).steps, 4);
  assert.notDeepEqual(readFileSync(four), readFileSync(out));
});

test("without --steps or --sampler the recipe records the manifest's defaults", () => {
  const manifest = JSON.parse(readFileSync(join(SMOKE_DIR, 'manifest.json'), 'utf8')) as {
    diffusion: { defaults: { steps: number; sampler: string } };
  };
  const out = join(work, 'defaults.png');
  ok('generate', '--model', MODEL, '--prompt', 'red heart', '--seed', '6', '--out', out);
  const { steps, sampler } = manifest.diffusion.defaults;
  const recipe = recipeOf(out);
  assert.equal(recipe.steps, steps, 'the denoising steps, not the length of the saved latent');
  assert.deepEqual(recipe.sampling.diffusion, { steps, sampler });
  assert.equal(sdParsers(out).steps, String(steps));
});

test('an infill takes --steps, --sampler and --resample, and its PNG says them', async () => {
  const source = join(work, 'source.png');
  const mask = join(work, 'mask.png');
  const rgb = Buffer.alloc(32 * 32 * 3, 200);
  await sharp(rgb, { raw: { width: 32, height: 32, channels: 3 } })
    .png()
    .toFile(source);
  const hole = Buffer.alloc(32 * 32, 0);
  for (let y = 8; y < 24; y++) hole.fill(255, y * 32 + 8, y * 32 + 24);
  writeFileSync(
    mask,
    await sharp(hole, { raw: { width: 32, height: 32, channels: 1 } })
      .png()
      .toBuffer(),
  );
  const out = join(work, 'infill.png');
  ok(
    'infill',
    '--model',
    MODEL,
    '--image',
    source,
    '--mask',
    mask,
    '--prompt',
    'blue heart',
    '--seed',
    '2',
    '--steps',
    '2',
    '--sampler',
    'ddim',
    '--resample',
    '2',
    '--out',
    out,
  );
  const recipe = recipeOf(out);
  assert.equal(recipe.steps, 2);
  assert.deepEqual(recipe.sampling.diffusion, { steps: 2, sampler: 'ddim', resample: 2 });
  assert.match(String(readTags(out)['PNG:Parameters']), /Steps: 2, Sampler: DDIM,.*Resample: 2/);
  assert.equal(sdParsers(out).steps, '2');
});

test('absurd steps and samplers are refused with what the model allows, before anything is queued', async () => {
  const manifest = await readManifest(SMOKE_DIR);
  const cases: [Record<string, string>, RegExp][] = [
    [{ steps: '0' }, /steps must be a whole number from 1 to 250 .*not 0 \(its default is 4\)/],
    [{ steps: '100000' }, /from 1 to 250 .*not 100000/],
    [{ steps: '2.5' }, /from 1 to 250 .*not 2\.5/],
    [{ steps: 'many' }, /--steps must be a whole number, got "many"/],
    [
      { sampler: 'euler' },
      /euler is a sampler of flow models; .* is a ddpm model: .* samples with ddim/,
    ],
    [
      { sampler: 'plms' },
      /"plms" is not a sampler Tessera knows: .* samples with ddim \(default ddim\)/,
    ],
    [{ resample: '2' }, /--resample applies to infill/],
  ];
  for (const [values, message] of cases)
    assert.throws(
      () => diffusionFromOptions(values, manifest, SAMPLING, 'generate'),
      (err: unknown) => err instanceof CliError && err.exitCode === 2 && message.test(err.message),
      JSON.stringify(values),
    );
  assert.throws(
    () => diffusionFromOptions({ resample: '21' }, manifest, SAMPLING, 'infill'),
    /resample must be a whole number from 1 to 20, not 21/,
  );
  // Through the command: exit status 2, the range on stderr, nothing queued.
  const queued = () => (JSON.parse(ok('jobs', 'list', '--json').trim()) as unknown[]).length;
  const jobsBefore = queued();
  const r = tessera('generate', '--model', MODEL, '--prompt', 'red heart', '--steps', '0');
  assert.equal(r.status, 2, r.stderr);
  assert.match(r.stderr, /from 1 to 250/);
  assert.equal(queued(), jobsBefore);
});

test('a token model refuses denoising options, saying they belong to diffusion models', async () => {
  const manifest = await readManifest(shippedModelDir('vq-ar'));
  assert.throws(
    () => diffusionFromOptions({ steps: '8' }, manifest, SAMPLING, 'generate'),
    /writes its image token by token: steps and sampler are settings of diffusion models/,
  );
  assert.deepEqual(diffusionFromOptions({}, manifest, SAMPLING, 'generate'), SAMPLING);
});
