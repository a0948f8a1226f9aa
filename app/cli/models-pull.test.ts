/**
 * `tessera models pull` through the real CLI against a hub on 127.0.0.1 named by HF_ENDPOINT,
 * as the hub's own clients read it: the tiny Janus-Pro model is pulled, installed and listed;
 * an unknown repository and a missing name are refused in one line with exit codes 1 and 2.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { writePublishedRepo } from '../models/pull/testing/published-repo.ts';
import { startTestHub, type TestHub } from '../models/pull/testing/hub-server.ts';

const root = join(import.meta.dirname, '..', '..');
const work = mkdtempSync(join(tmpdir(), 'tessera-cli-models-pull-'));
const home = join(work, 'home');
let hub: TestHub;

before(async () => {
  writePublishedRepo(join(work, 'repo'));
  hub = await startTestHub({ 'tessera-test/Janus-Pro-tiny-ONNX': join(work, 'repo') });
});
after(async () => {
  await hub.close();
  rmSync(work, { recursive: true, force: true });
});

/** Runs the CLI without blocking this process, which serves the hub it talks to. */
function tessera(
  ...args: string[]
): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((done) => {
    const child = spawn(
      process.execPath,
      [join(root, 'bin', 'tessera.mjs'), ...args, '--home', home],
      {
        env: {
          ...process.env,
          HF_ENDPOINT: hub.url,
          TESSERA_EMBEDDED_MODELS: join(work, 'no-embedded-models'),
        },
      },
    );
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('close', (code) => done({ code, stdout, stderr }));
  });
}

test('models pull installs from the hub HF_ENDPOINT names, and the model is listed', async () => {
  const pulled = await tessera('models', 'pull', 'tessera-test/Janus-Pro-tiny-ONNX', '--json');
  assert.equal(pulled.code, 0, pulled.stderr);
  const model = JSON.parse(pulled.stdout) as { dir: string; dtype: string; family: string };
  assert.equal(model.family, 'janus-pro');
  assert.equal(model.dtype, 'fp32');
  const listed = JSON.parse((await tessera('models', '--json')).stdout) as { dir: string }[];
  assert.deepEqual(
    listed.map((m) => m.dir),
    [model.dir],
  );
});

test('an unknown repository and a missing name are refused in one line', async () => {
  const missing = await tessera('models', 'pull', 'nobody/nothing');
  assert.equal(missing.code, 1);
  assert.match(
    missing.stderr,
    /^tessera: http:\/\/127\.0\.0\.1:\d+ has no repository nobody\/nothing/,
  );
  assert.doesNotMatch(missing.stderr, /unexpected error/);
  const bare = await tessera('models', 'pull');
  assert.equal(bare.code, 2);
  assert.match(bare.stderr, /models pull needs a repository: tessera models pull OWNER\/NAME/);
});
