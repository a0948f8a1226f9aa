/**
 * Model folders that point outside themselves or are built to hang or exhaust the studio, with
 * the real shipped model: a manifest naming a path outside the folder (even with the right
 * sha256), a file or manifest linked to elsewhere on the disk, named pipes where the manifest or
 * a graph should be, an oversized manifest. Each import is refused quickly with what to do,
 * never says whether the outside path exists, never quotes what it read, and leaves nothing
 * behind; the model list shows such a folder as unusable instead of freezing.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import {
  cpSync,
  lstatSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { after, before, test } from 'node:test';
import { importModelFolder, ModelImportError } from './import-model.ts';
import { DEFAULT_MODEL_ID, installedModels, resolveModel } from './installed.ts';
import { MAX_MANIFEST_BYTES } from './model-file.ts';

const work = mkdtempSync(join(tmpdir(), 'tessera-hostile-model-'));
const home = join(work, 'home');
const shipped = (await resolveModel(home, DEFAULT_MODEL_ID)).dir;
const embeddedBefore = process.env.TESSERA_EMBEDDED_MODELS;
/** A file outside every model folder, standing in for /etc/passwd. */
const secret = join(work, 'secret.txt');
const SECRET = 'root:x:0:0:root:/root:/bin/bash\n';

before(() => {
  process.env.TESSERA_EMBEDDED_MODELS = join(work, 'no-embedded-models');
  mkdirSync(join(home, 'models'), { recursive: true });
  writeFileSync(secret, SECRET);
});
after(() => {
  if (embeddedBefore === undefined) delete process.env.TESSERA_EMBEDDED_MODELS;
  else process.env.TESSERA_EMBEDDED_MODELS = embeddedBefore;
  rmSync(work, { recursive: true, force: true });
});

const mkfifo = (path: string) => {
  const r = spawnSync('mkfifo', [path]);
  assert.equal(r.status, 0, String(r.stderr));
};

/** The parts of a manifest these tests change. */
interface ManifestJson {
  tokenizer: { file: string; sha256: string };
  hf?: Record<string, unknown>;
  data: Record<string, unknown>;
}

function copyOfShipped(name: string, change: (dir: string, manifest: ManifestJson) => void) {
  const dir = join(work, name);
  cpSync(shipped, dir, { recursive: true });
  const manifest = JSON.parse(readFileSync(join(dir, 'manifest.json'), 'utf8')) as ManifestJson;
  change(dir, manifest);
  // Unless the change replaced the manifest itself (by a link, a pipe, other text).
  const path = join(dir, 'manifest.json');
  if (lstatSync(path).isFile() && readFileSync(path, 'utf8').startsWith('{'))
    writeFileSync(path, JSON.stringify(manifest));
  return dir;
}

async function refusal(source: string): Promise<ModelImportError> {
  const before = readdirSync(join(home, 'models'));
  let caught: unknown;
  await importModelFolder(home, source).catch((err: unknown) => (caught = err));
  assert.ok(caught instanceof ModelImportError, `refused with a ModelImportError: ${caught}`);
  assert.doesNotMatch(caught.message, /root:x/, 'never quotes a file it read');
  assert.deepEqual(readdirSync(join(home, 'models')), before, 'nothing is left behind');
  return caught;
}

const sha256 = (bytes: Buffer) => createHash('sha256').update(bytes).digest('hex');

test('a manifest naming a file outside the folder is refused, even with its sha256', async () => {
  for (const path of [relative(join(work, 'outside-path'), secret), secret, '../secret.txt']) {
    const dir = copyOfShipped('outside-path', (_d, m) => {
      m.tokenizer.file = path;
      m.tokenizer.sha256 = sha256(Buffer.from(SECRET));
    });
    const err = await refusal(dir);
    assert.equal(err.code, 'model-invalid');
    assert.match(err.message, /tokenizer\.file: the tokenizer file must sit in the model folder/);
    assert.ok(!err.message.includes(path), 'the refusal names the rule, not the path');
    rmSync(dir, { recursive: true });
  }
  const hf = copyOfShipped('outside-hf', (_d, m) => (m.hf = { ...m.hf, folder: '../..' }));
  assert.match(
    (await refusal(hf)).message,
    /hf\.folder: .* must be a path inside the model folder/,
  );
});

test('a link leading outside the folder is refused in the same words whether its target exists or not', async () => {
  const words = (target: string) =>
    copyOfShipped(`link-${target === secret ? 'exists' : 'absent'}`, (d, m) => {
      rmSync(join(d, 'words.json'));
      symlinkSync(target, join(d, 'words.json'));
      m.tokenizer.sha256 = sha256(Buffer.from(SECRET));
    });
  const existing = await refusal(words(secret));
  const absent = await refusal(words(join(work, 'no-such-file')));
  assert.equal(existing.code, 'model-damaged');
  assert.match(existing.message, /words\.json in .* is not a file of the model folder/);
  assert.equal(
    existing.message.replace(/link-exists/g, 'X'),
    absent.message.replace(/link-absent/g, 'X'),
  );
  // A link that stays inside the folder is followed.
  const inside = copyOfShipped('link-inside', (d) => {
    cpSync(join(d, 'words.json'), join(d, 'words-real.json'));
    rmSync(join(d, 'words.json'));
    symlinkSync('words-real.json', join(d, 'words.json'));
  });
  const imported = await importModelFolder(home, inside);
  assert.ok(!readdirSync(imported.dir).includes('words-real.json'), 'copied by its listed name');
  assert.deepEqual(
    readFileSync(join(imported.dir, 'words.json')),
    readFileSync(join(shipped, 'words.json')),
  );
  rmSync(imported.dir, { recursive: true });
});

test('a manifest that is a link to another file is refused without quoting it', async () => {
  const dir = copyOfShipped('linked-manifest', (d) => {
    rmSync(join(d, 'manifest.json'));
    symlinkSync(secret, join(d, 'manifest.json'));
  });
  const err = await refusal(dir);
  assert.equal(err.code, 'model-invalid');
  assert.match(err.message, /manifest\.json in .* is not a file of the model folder/);
  // A manifest inside the folder that is not JSON is not quoted either.
  const notJson = copyOfShipped('secret-manifest', (d) => {
    writeFileSync(join(d, 'manifest.json'), SECRET);
  });
  assert.match((await refusal(notJson)).message, /is not valid JSON \(a damaged or foreign file\)/);
});

test(
  'named pipes where the manifest or a graph should be are refused at once',
  { timeout: 20_000 },
  async () => {
    const pipeManifest = copyOfShipped('fifo-manifest', (d) => {
      rmSync(join(d, 'manifest.json'));
      mkfifo(join(d, 'manifest.json'));
    });
    assert.match((await refusal(pipeManifest)).message, /is not a regular file/);
    const pipeGraph = copyOfShipped('fifo-graph', (d) => {
      rmSync(join(d, 'vq_decode.onnx'));
      mkfifo(join(d, 'vq_decode.onnx'));
    });
    const err = await refusal(pipeGraph);
    assert.equal(err.code, 'model-damaged');
    assert.match(err.message, /vq_decode\.onnx in .* is not a regular file/);
    // An unlisted pipe beside a valid model is not touched: only listed files are copied.
    const pipeBeside = copyOfShipped('fifo-beside', (d) => mkfifo(join(d, 'notes.txt')));
    const imported = await importModelFolder(home, pipeBeside);
    assert.ok(!readdirSync(imported.dir).includes('notes.txt'));
    rmSync(imported.dir, { recursive: true });
  },
);

test('an oversized manifest is refused before it is read', async () => {
  const dir = copyOfShipped('huge-manifest', (d, m) => {
    m.data.padding = 'x'.repeat(MAX_MANIFEST_BYTES);
  });
  const err = await refusal(dir);
  assert.equal(err.code, 'model-invalid');
  assert.match(err.message, /manifest\.json in .* is 1\.0 MiB, over 1\.0 MiB/);
});

test('only the files the manifest names travel, with a licence and readme', async () => {
  const dir = copyOfShipped('extras', (d) => {
    writeFileSync(join(d, 'LICENSE'), 'MIT');
    writeFileSync(join(d, 'README.md'), '# model');
    writeFileSync(join(d, 'payload.sh'), 'echo hi');
    symlinkSync(secret, join(d, 'NOTICE'));
  });
  const imported = await importModelFolder(home, dir);
  const names = readdirSync(imported.dir);
  assert.ok(names.includes('LICENSE') && names.includes('README.md'));
  assert.ok(!names.includes('payload.sh') && !names.includes('NOTICE') && !names.includes('hf'));
  rmSync(imported.dir, { recursive: true });
});

test('a model that needs more memory than the machine has imports with a warning', async () => {
  const imported = await importModelFolder(home, shipped, { memoryBytes: 64 * 1024 ** 2 });
  assert.match(
    imported.warning ?? '',
    /needs about 0\.1 GiB of memory, but this computer has 0\.1 GiB: it may be very slow or fail to load; close other programs, or use a smaller model/,
  );
  rmSync(imported.dir, { recursive: true });
});

test('the model list does not freeze on a named pipe manifest, and shows it as unusable', () => {
  const own = join(work, 'list-home');
  mkdirSync(join(own, 'models', 'piped'), { recursive: true });
  mkfifo(join(own, 'models', 'piped', 'manifest.json'));
  mkdirSync(join(own, 'models', 'linked'));
  symlinkSync(secret, join(own, 'models', 'linked', 'manifest.json'));
  // In a child, so that a listing that blocks on the pipe fails by its timeout, not hangs here.
  const script = `
    const { installedModels } = await import(${JSON.stringify(new URL('./installed.ts', import.meta.url).href)});
    console.log(JSON.stringify((await installedModels(${JSON.stringify(own)})).filter((m) => m.source === 'home')));`;
  const r = spawnSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], {
    encoding: 'utf8',
    timeout: 15_000,
    env: { ...process.env, TESSERA_EMBEDDED_MODELS: join(work, 'no-embedded-models') },
  });
  assert.equal(r.signal, null, 'the listing returned instead of blocking on the pipe');
  assert.equal(r.status, 0, r.stderr);
  const listed = JSON.parse(r.stdout) as { dir: string; manifest: unknown; problem: string }[];
  assert.deepEqual(
    listed.map((m) => [m.dir.split('/').pop(), m.manifest]),
    [
      ['linked', null],
      ['piped', null],
    ],
  );
  assert.match(listed[1]!.problem, /manifest\.json in .* is not a regular file/);
  assert.match(listed[0]!.problem, /is not a file of the model folder/);
  assert.doesNotMatch(r.stdout, /root:x/);
});

test('listing models does not block the event loop', async () => {
  let ticks = 0;
  const timer = setInterval(() => ticks++, 0);
  const listing = installedModels(home);
  assert.ok(listing instanceof Promise);
  await listing;
  clearInterval(timer);
  assert.ok(ticks > 0, 'timers ran while the models were read');
});
