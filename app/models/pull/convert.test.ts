/**
 * `tessera models convert janus-pro SRC` on the tiny random transformers checkpoint: the
 * converter runs in native-models' Python, the result is installed and listed, and --out keeps
 * the converted folder. A folder of another kind, a missing Python environment and Chameleon
 * are refused in words before Python starts.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { installedModels } from '../installed.ts';
import { ConvertError, convertCheckpoint } from './convert.ts';
import { tinyJanusCheckpoint } from './testing/tiny-checkpoint.ts';

const root = join(import.meta.dirname, '..', '..', '..');
const work = mkdtempSync(join(tmpdir(), 'tessera-convert-'));
const embeddedBefore = process.env.TESSERA_EMBEDDED_MODELS;
let checkpoint: string;

before(() => {
  process.env.TESSERA_EMBEDDED_MODELS = join(work, 'no-embedded-models');
  checkpoint = tinyJanusCheckpoint();
});
after(() => {
  if (embeddedBefore === undefined) delete process.env.TESSERA_EMBEDDED_MODELS;
  else process.env.TESSERA_EMBEDDED_MODELS = embeddedBefore;
  rmSync(work, { recursive: true, force: true });
});

const refusal = (code: string, message: RegExp) => (err: unknown) => {
  assert.ok(err instanceof ConvertError, String(err));
  assert.equal(err.code, code);
  assert.match(err.message, message);
  return true;
};

test('the CLI converts the tiny checkpoint, keeps it in --out, and installs it', () => {
  const home = join(work, 'home-cli');
  const out = join(work, 'converted');
  const r = spawnSync(
    process.execPath,
    [
      join(root, 'bin', 'tessera.mjs'),
      'models',
      'convert',
      'janus-pro',
      checkpoint,
      '--out',
      out,
      '--home',
      home,
      '--json',
    ],
    { encoding: 'utf8', timeout: 600_000, env: { ...process.env } },
  );
  assert.equal(r.status, 0, r.stderr);
  const converted = JSON.parse(r.stdout) as { dir: string; family: string; out: string };
  assert.equal(converted.family, 'janus-pro');
  assert.equal(converted.out, out);
  assert.ok(existsSync(join(out, 'manifest.json')));
  const listed = spawnSync(
    process.execPath,
    [join(root, 'bin', 'tessera.mjs'), 'models', '--json', '--home', home],
    { encoding: 'utf8', timeout: 120_000 },
  );
  const rows = JSON.parse(listed.stdout) as { dir: string; family: string }[];
  assert.ok(rows.some((m) => m.dir === converted.dir && m.family === 'janus-pro'));
});

test('a folder that is not a Janus checkpoint is refused before Python starts', async () => {
  const home = join(work, 'home-refusals');
  const other = join(work, 'llama');
  mkdirSync(other);
  writeFileSync(join(other, 'config.json'), '{"model_type": "llama"}');
  await assert.rejects(
    convertCheckpoint(home, { family: 'janus-pro', src: other, native: null }),
    refusal(
      'not-a-checkpoint',
      /is not a janus-pro checkpoint \(its config\.json says model_type "llama", not "janus"\)/,
    ),
  );
  const original = join(work, 'deepseek');
  mkdirSync(original);
  writeFileSync(join(original, 'config.json'), '{"model_type": "multi_modality"}');
  await assert.rejects(
    convertCheckpoint(home, { family: 'janus-pro', src: original, native: null }),
    refusal('not-a-checkpoint', /DeepSeek's original format/),
  );
  await assert.rejects(
    convertCheckpoint(home, { family: 'janus-pro', src: join(work, 'nowhere') }),
    refusal('not-a-checkpoint', /is not a folder/),
  );
  await assert.rejects(
    convertCheckpoint(home, { family: 'chameleon', src: checkpoint }),
    refusal('not-supported-yet', /Chameleon checkpoints is not supported yet/),
  );
  await assert.rejects(
    convertCheckpoint(home, { family: 'sdxl', src: checkpoint }),
    refusal('unknown-family', /the converter handles janus-pro/),
  );
});

test('a missing Python environment is refused with the command that sets it up', async () => {
  const native = join(work, 'native-without-venv');
  mkdirSync(native);
  const src = join(work, 'checkpoint-copy');
  cpSync(checkpoint, src, { recursive: true });
  await assert.rejects(
    convertCheckpoint(join(work, 'home-novenv'), { family: 'janus-pro', src, native }),
    refusal(
      'python-missing',
      /needs native-models' Python environment .* run `npm run setup:python`/,
    ),
  );
  assert.deepEqual(await installedModels(join(work, 'home-novenv')), []);
});
