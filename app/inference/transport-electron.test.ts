/**
 * InferenceClient over the Electron transport, with a stand-in utilityProcess.fork (Electron's
 * binary is not available to tests): host-electron.ts serves jobs over `process.parentPort`,
 * and a dead process still fails its job as `inference-crashed`, the next job getting a fresh one.
 */
import assert from 'node:assert/strict';
import { after, test } from 'node:test';
import type { JobEvent, JobRequest } from '../common/inference-contract.ts';
import { InferenceClient } from './client.ts';
import { fakeUtilityFork } from './testing/transport-electron-fake.ts';
import { utilityProcessSpawner } from './transport-electron.ts';
import { shippedModelDir } from '../models/testing/shipped-models.ts';

const modelDir = shippedModelDir('vq-ar');

const fake = fakeUtilityFork();
const client = new InferenceClient(utilityProcessSpawner(fake.fork, '/app/out/inference/host.mjs'));
after(() => client.close());

const generate = (seed: number): JobRequest => ({
  task: 'generate',
  modelDir,
  provider: 'cpu',
  threads: 1,
  prompt: 'red heart',
  style: null,
  seed,
  imageIndex: 0,
  sampling: { cfgScale: 3, temperature: 1, topK: 0, topP: 0.9, cdk: null },
  negativePrompt: '',
  resumeFrom: null,
});

test('a generation runs in the utility process and streams its events', async () => {
  const events: JobEvent[] = [];
  const end = await client.run(generate(11), (e) => events.push(e));
  assert.equal(end.type, 'completed');
  assert.equal(events[0]!.type, 'started');
  assert.ok(events.some((e) => e.type === 'progress' || e.type === 'checkpoint'));
  assert.equal(fake.calls.length, 1);
  assert.equal(fake.calls[0]!.modulePath, '/app/out/inference/host.mjs');
  assert.equal(fake.calls[0]!.pid, client.pid);
  assert.deepEqual(fake.calls[0]!.options, {
    serviceName: 'Tessera inference',
    stdio: ['ignore', 'inherit', 'pipe'],
  });
});

test('the same result as the Node child process transport (same host code)', async () => {
  const viaNode = new InferenceClient();
  try {
    const [a, b] = [await client.run(generate(3)), await viaNode.run(generate(3))];
    assert.ok(a.type === 'completed' && b.type === 'completed');
    assert.deepEqual(a.result, b.result);
  } finally {
    await viaNode.close();
  }
});

test('a dead utility process fails the job as inference-crashed; the next job starts a new one', async () => {
  const first = await client.run(generate(9), (e) => {
    if (e.type === 'started') process.kill(client.pid!, 'SIGKILL');
  });
  assert.equal(first.type, 'failed');
  if (first.type === 'failed') {
    assert.equal(first.code, 'inference-crashed');
    assert.match(first.message, /exited with code \d+.*retry/);
    assert.equal(first.retryable, true);
  }
  const again = await client.run(generate(9));
  assert.equal(again.type, 'completed');
  assert.equal(fake.calls.length, 2);
});

test('close() ends the utility process', async () => {
  const pid = client.pid!;
  await client.close();
  assert.equal(client.pid, undefined);
  assert.throws(() => process.kill(pid, 0), /ESRCH/);
});
