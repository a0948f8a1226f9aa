/**
 * Pulling from a hub-compatible server on 127.0.0.1 that serves the tiny Janus-Pro model in the
 * published layout: a pull installs it and it is listed; only the chosen dtype's files travel;
 * a cut transfer is resumed where it stopped; a damaged file, an unknown repository, a full
 * disk and a repository Tessera cannot run are refused in words, losing nothing already saved.
 */
import assert from 'node:assert/strict';
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { installedModels } from '../installed.ts';
import { PullError } from './pull-error.ts';
import { downloadFolder, pullModel, type PullProgress } from './pull-model.ts';
import { writePublishedRepo } from './testing/published-repo.ts';
import { startTestHub, type TestHub } from './testing/hub-server.ts';

const REPO = 'tessera-test/Janus-Pro-tiny-ONNX';
const work = mkdtempSync(join(tmpdir(), 'tessera-pull-'));
const embeddedBefore = process.env.TESSERA_EMBEDDED_MODELS;
let hub: TestHub;
let homes = 0;
const freshHome = () => join(work, `home-${++homes}`);

before(async () => {
  process.env.TESSERA_EMBEDDED_MODELS = join(work, 'no-embedded-models');
  writePublishedRepo(join(work, 'repo'));
  mkdirSync(join(work, 'checkpoint'));
  writeFileSync(join(work, 'checkpoint', 'config.json'), '{"model_type": "janus"}');
  writeFileSync(join(work, 'checkpoint', 'model.safetensors'), 'not really weights');
  mkdirSync(join(work, 'bare', 'onnx'), { recursive: true });
  writeFileSync(join(work, 'bare', 'onnx', 'lm_head_q4f16.onnx'), 'graph');
  hub = await startTestHub({
    [REPO]: join(work, 'repo'),
    'tessera-test/checkpoint': join(work, 'checkpoint'),
    'tessera-test/no-manifest': join(work, 'bare'),
  });
});
after(async () => {
  await hub.close();
  if (embeddedBefore === undefined) delete process.env.TESSERA_EMBEDDED_MODELS;
  else process.env.TESSERA_EMBEDDED_MODELS = embeddedBefore;
  rmSync(work, { recursive: true, force: true });
});

/** The files whose bytes (beyond a 1-byte probe) the hub served since `mark`. */
const fetchedSince = (mark: number) =>
  [
    ...new Set(
      hub.served
        .slice(mark)
        .filter((s) => s.bytes > 1)
        .map((s) => s.path),
    ),
  ].sort();

const repoManifest = (file: string) =>
  JSON.parse(readFileSync(join(work, 'repo', file), 'utf8')) as {
    graphs: Record<string, { file: string }>;
  };

const refusal = (code: string, message: RegExp) => (err: unknown) => {
  assert.ok(err instanceof PullError, String(err));
  assert.equal(err.code, code);
  assert.match(err.message, message);
  return true;
};

test('a pull installs the fp32 files only, reports progress, and the model is listed', async () => {
  const home = freshHome();
  const mark = hub.served.length;
  const seen: PullProgress[] = [];
  const pulled = await pullModel(home, {
    repo: REPO,
    hubUrl: hub.url,
    onProgress: (p) => seen.push(p),
  });
  assert.equal(pulled.family, 'janus-pro');
  assert.equal(pulled.dtype, 'fp32');
  const graphs = Object.values(repoManifest('manifest.json').graphs).map((g) => g.file);
  assert.ok(graphs.includes('onnx/language_model.onnx'));
  assert.deepEqual(
    fetchedSince(mark),
    ['LICENSE', 'manifest.json', ...graphs, 'tokenizer.json'].sort(),
  );
  const listed = (await installedModels(home)).find((m) => m.dir === pulled.dir);
  assert.equal(listed?.manifest?.id, 'tessera/janus-pro-tiny-random');
  assert.ok(existsSync(join(pulled.dir, 'LICENSE')));
  const downloads = seen.filter((p) => p.phase === 'downloading');
  const total = downloads[0]!.totalBytes;
  assert.ok(total > 5_000_000, `total ${total}`);
  assert.ok(downloads.every((p) => p.totalBytes === total && p.doneBytes <= total));
  assert.ok(downloads.some((p) => p.bytesPerSecond > 0 && p.etaSeconds !== null));
  assert.equal(seen.at(-1)?.phase, 'importing');
  assert.equal(pulled.fetchedBytes, total);
  // The download folder goes once the model is installed.
  assert.equal(
    existsSync(join(home, 'downloads')) && readdirSync(join(home, 'downloads')).length,
    0,
  );
});

test('choosing q4 fetches only the q4 graphs and their manifest', async () => {
  const home = freshHome();
  const mark = hub.served.length;
  const pulled = await pullModel(home, { repo: REPO, hubUrl: hub.url, dtype: 'q4' });
  const graphs = fetchedSince(mark).filter((p) => p.startsWith('onnx/'));
  const named = Object.values(repoManifest('manifest_q4.json').graphs).map((g) => g.file);
  assert.deepEqual(graphs, named.sort());
  assert.ok(
    graphs.every((p) => p.endsWith('_q4.onnx')),
    graphs.join(),
  );
  assert.ok(fetchedSince(mark).includes('manifest_q4.json'));
  assert.ok(existsSync(join(pulled.dir, 'onnx', 'language_model_q4.onnx')));
  await assert.rejects(
    pullModel(freshHome(), { repo: REPO, hubUrl: hub.url, dtype: 'fp16' }),
    refusal('no-dtype', /has no fp16 weights Tessera can run: choose one of fp32, q4 \(--dtype\)/),
  );
});

test('a cut transfer keeps its bytes, and the next pull fetches only the rest', async () => {
  const home = freshHome();
  const file = 'onnx/image_decode.onnx';
  const size = statSync(join(work, 'repo', file)).size;
  hub.cutAfter(file, 1_000_000);
  await assert.rejects(
    pullModel(home, { repo: REPO, hubUrl: hub.url, retries: 0 }),
    refusal(
      'interrupted',
      /the transfer of onnx\/image_decode\.onnx .* stopped .*MiB of 2\.7 MiB .* are kept .* pull again to resume/,
    ),
  );
  const [commit] = readdirSync(join(home, 'downloads', REPO.replace('/', '--')));
  const part = join(downloadFolder(home, REPO, commit!), `${file}.part`);
  // What reached the disk before the cut (the socket may drop the last chunks in flight).
  const kept = statSync(part).size;
  assert.ok(kept > 0 && kept <= 1_000_000, `kept ${kept}`);

  const mark = hub.served.length;
  const pulled = await pullModel(home, { repo: REPO, hubUrl: hub.url, retries: 0 });
  const again = hub.served.slice(mark).filter((s) => s.path === file && s.bytes > 1);
  assert.deepEqual(again, [{ path: file, from: kept, bytes: size - kept }]);
  // Files finished before the cut are not fetched twice.
  assert.ok(!fetchedSince(mark).includes('onnx/language_model.onnx'));
  assert.ok(existsSync(join(pulled.dir, file)));
});

test('a cut transfer is resumed on its own within one pull when retries are left', async () => {
  hub.cutAfter('onnx/language_model.onnx', 100_000);
  const pulled = await pullModel(freshHome(), { repo: REPO, hubUrl: hub.url, retries: 1 });
  assert.equal(pulled.family, 'janus-pro');
});

test('a file whose bytes do not match the listed sha256 is deleted; the others are kept', async () => {
  const home = freshHome();
  hub.corrupt('onnx/lm_head.onnx');
  await assert.rejects(
    pullModel(home, { repo: REPO, hubUrl: hub.url }),
    refusal(
      'checksum',
      /onnx\/lm_head\.onnx from .* does not match the sha256 the hub lists for it: the damaged copy was deleted \(the other files are kept\)/,
    ),
  );
  hub.corrupt(null); // the next tests get true bytes again
  const repoDir = join(home, 'downloads', REPO.replace('/', '--'));
  const dir = join(repoDir, readdirSync(repoDir)[0]!);
  assert.ok(!existsSync(join(dir, 'onnx', 'lm_head.onnx')));
  assert.ok(!existsSync(join(dir, 'onnx', 'lm_head.onnx.part')));
  assert.ok(existsSync(join(dir, 'onnx', 'language_model.onnx')));
  assert.deepEqual(await installedModels(home), []);
});

test('an unknown repository, a bad name and a repository Tessera cannot run are refused', async () => {
  await assert.rejects(
    pullModel(freshHome(), { repo: 'nobody/nothing', hubUrl: hub.url }),
    refusal('not-found', /has no repository nobody\/nothing .*check the name and revision/),
  );
  await assert.rejects(
    pullModel(freshHome(), { repo: REPO, hubUrl: hub.url, revision: 'v9' }),
    refusal('not-found', /revision v9/),
  );
  await assert.rejects(
    pullModel(freshHome(), { repo: '../etc/passwd', hubUrl: hub.url }),
    refusal('bad-name', /give it as OWNER\/NAME/),
  );
  await assert.rejects(
    pullModel(freshHome(), { repo: 'tessera-test/checkpoint', hubUrl: hub.url }),
    refusal('unsupported', /is a PyTorch checkpoint.*tessera models convert janus-pro FOLDER/),
  );
  await assert.rejects(
    pullModel(freshHome(), { repo: 'tessera-test/no-manifest', hubUrl: hub.url }),
    refusal('unsupported', /ships ONNX graphs \(q4f16\) but no Tessera manifest\.json/),
  );
});

test('too little free space is refused before any graph is fetched', async () => {
  const home = freshHome();
  const mark = hub.served.length;
  await assert.rejects(
    pullModel(home, { repo: REPO, hubUrl: hub.url, freeBytes: async () => 1_000_000 }),
    refusal(
      'disk-full',
      /needs 0\.01 GiB free \(.* to download, .* for the installed copy\), but the disk holding .* has 0\.00 GiB: free some space and pull again/,
    ),
  );
  assert.deepEqual(fetchedSince(mark), ['manifest.json']);
});
