import assert from 'node:assert/strict';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { PROVIDERS, type JobEvent, type JobRequest } from '../common/inference-contract.ts';
import { InferenceClient } from './client.ts';
import { supportedProviders } from './engine/ort.ts';
import { shippedModelDir } from '../models/testing/shipped-models.ts';

const exportsDir = join(import.meta.dirname, '..', '..', 'native-models', 'exports');
const modelDir = shippedModelDir('vq-ar');

const client = new InferenceClient();
after(() => client.close());

const generate = (seed: number, extra: Partial<JobRequest> = {}): JobRequest =>
  ({
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
    ...extra,
  }) as JobRequest;

test('a generation streams events and completes with the image', async () => {
  const events: JobEvent[] = [];
  const end = await client.run(generate(11), (e) => events.push(e));
  assert.equal(end.type, 'completed');
  assert.equal(events[0]!.type, 'started');
  assert.ok(events.some((e) => e.type === 'checkpoint'));
  assert.equal(
    events.filter((e) => ['completed', 'failed', 'cancelled', 'paused'].includes(e.type)).length,
    1,
  );
  if (end.type === 'completed' && end.result.task === 'generate') {
    assert.equal(end.result.codes.length, 64);
    assert.equal(Buffer.from(end.result.imageRgb, 'base64').length, 32 * 32 * 3);
  }
});

test('pause returns the token state, and resuming it after a restart gives the uninterrupted result', async () => {
  const full = await client.run(generate(21));
  assert.equal(full.type, 'completed');
  const jobId = 'pause-me';
  const paused = await client.run(
    generate(21),
    (e) => {
      if (e.type === 'checkpoint' && e.state.codes.length === 16) client.pause(jobId);
    },
    jobId,
  );
  assert.equal(paused.type, 'paused');
  if (paused.type !== 'paused' || full.type !== 'completed' || full.result.task !== 'generate')
    return;
  assert.ok(paused.state.codes.length >= 16 && paused.state.codes.length < 64);
  // Resume in a brand-new inference process, as after a restart of the app.
  const fresh = new InferenceClient();
  const resumed = await fresh.run(generate(21, { resumeFrom: paused.state }));
  await fresh.close();
  assert.equal(resumed.type, 'completed');
  if (resumed.type === 'completed' && resumed.result.task === 'generate') {
    assert.deepEqual(resumed.result.codes, full.result.codes);
    assert.equal(resumed.result.imageRgb, full.result.imageRgb);
  }
});

test('cancel takes effect within one step', async () => {
  const jobId = 'cancel-me';
  let doneAtCancel = -1;
  let doneAfter = -1;
  const end = await client.run(
    generate(5),
    (e) => {
      if (e.type === 'checkpoint') {
        if (doneAtCancel < 0) {
          doneAtCancel = e.state.codes.length;
          client.cancel(jobId);
        } else doneAfter = e.state.codes.length;
      }
    },
    jobId,
  );
  assert.equal(end.type, 'cancelled');
  assert.equal(doneAfter, -1, 'no further checkpoint after the cancel');
});

test('a killed inference process fails the job clearly, and the next job gets a fresh one', async () => {
  const jobId = 'crash-me';
  const first = client.run(
    generate(9),
    (e) => {
      if (e.type === 'started') process.kill(client.pid!, 'SIGKILL');
    },
    jobId,
  );
  const end = await first;
  assert.equal(end.type, 'failed');
  if (end.type === 'failed') {
    assert.equal(end.code, 'inference-crashed');
    assert.match(end.message, /killed \(SIGKILL\).*retry/);
    assert.equal(end.retryable, true);
  }
  const again = await client.run(generate(9));
  assert.equal(again.type, 'completed');
});

test('bad requests and bad models fail with what to do', async () => {
  const noModel = await client.run(generate(1, { modelDir: join(exportsDir, 'missing') }));
  assert.equal(noModel.type, 'failed');
  if (noModel.type === 'failed') {
    assert.equal(noModel.code, 'model-invalid');
    assert.match(noModel.message, /no manifest.json/);
  }
  const empty = await client.run(generate(1, { prompt: '   ' }));
  assert.equal(empty.type, 'failed');
  if (empty.type === 'failed') assert.match(empty.message, /prompt is empty/);
});

test('an unavailable provider falls back to the CPU, says so, and records what ran', async () => {
  // A provider this onnxruntime build does not list cannot start on any machine (CUDA, say,
  // starts where its libraries and a GPU are present, so it is not asked for here).
  const listed = new Set(supportedProviders().map((p) => p.name));
  const absent = PROVIDERS.find((p) => !listed.has(p));
  assert.ok(absent !== undefined, `this build lists every provider: ${[...listed].join(', ')}`);
  const events: JobEvent[] = [];
  const end = await client.run(generate(4, { provider: absent }), (e) => events.push(e));
  assert.equal(end.type, 'completed');
  const started = events.find((e) => e.type === 'started');
  assert.ok(started?.type === 'started');
  assert.equal(started.provider, 'cpu');
  assert.match(
    started.notice ?? '',
    new RegExp(`^The ${absent} provider could not start .* running on the CPU instead\\.$`),
  );
  if (end.type === 'completed') assert.equal(end.provider, 'cpu');
});

test('previews show finished rows and grey rows still to come', async () => {
  const previews: Extract<JobEvent, { type: 'preview' }>[] = [];
  await client.run(generate(8), (e) => {
    if (e.type === 'preview') previews.push(e);
  });
  assert.ok(previews.length >= 1);
  const first = previews[0]!;
  const rgb = Buffer.from(first.imageRgb, 'base64');
  assert.equal(rgb.length, 32 * 32 * 3);
  const lastRow = rgb.subarray(31 * 32 * 3);
  if (first.done < 64)
    assert.ok(
      lastRow.every((v) => v === 128),
      'rows not yet sampled are grey',
    );
});

test('a negative prompt changes the unconditional row, and so the image', async () => {
  const plain = await client.run(generate(12));
  const negative = await client.run(generate(12, { negativePrompt: 'yellow face' }));
  assert.ok(plain.type === 'completed' && negative.type === 'completed');
  if (plain.result.task === 'generate' && negative.result.task === 'generate') {
    assert.notDeepEqual(plain.result.codes, negative.result.codes);
  }
});

test('an infill streams progress and previews, stops on cancel or pause, and reruns to the same bytes', async () => {
  const source = await client.run(generate(3));
  assert.ok(source.type === 'completed' && source.result.task === 'generate');
  const sourceRgb = source.result.imageRgb;
  const infill = (): JobRequest => ({
    task: 'infill',
    modelDir,
    provider: 'cpu',
    threads: 1,
    prompt: 'blue heart',
    style: null,
    seed: 9,
    imageIndex: 0,
    sampling: { cfgScale: 3, temperature: 1, topK: 0, topP: 0.9, cdk: null },
    imageRgb: sourceRgb,
    // Every code row: 64 codes to sample, as many steps as a generation.
    mask: Buffer.alloc(32 * 32, 1).toString('base64'),
    featherPx: 0,
  });
  const events: JobEvent[] = [];
  const full = await client.run(infill(), (e) => events.push(e));
  assert.ok(full.type === 'completed' && full.result.task === 'infill');
  const progress = events.filter(
    (e): e is Extract<JobEvent, { type: 'progress' }> => e.type === 'progress',
  );
  assert.deepEqual(progress.at(-1), { ...progress.at(-1)!, done: 64, total: 64, unit: 'token' });
  const preview = events.find((e) => e.type === 'preview');
  assert.ok(
    preview !== undefined && Buffer.from(preview.imageRgb, 'base64').length === 32 * 32 * 3,
  );

  for (const stop of ['cancel', 'pause'] as const) {
    const jobId = `infill-${stop}`;
    let done = 0;
    const end = await client.run(
      infill(),
      (e) => {
        if (e.type === 'preview' && done === 0) {
          done = e.done;
          if (stop === 'cancel') client.cancel(jobId);
          else client.pause(jobId);
        }
      },
      jobId,
    );
    assert.equal(end.type, stop === 'cancel' ? 'cancelled' : 'paused');
    if (end.type === 'paused') assert.deepEqual(end.state.codes, [], 'an infill keeps no state');
  }
  // Resuming a paused infill runs it again: the same seed gives the same bytes.
  const again = await client.run(infill());
  assert.ok(again.type === 'completed' && again.result.task === 'infill');
  assert.deepEqual(again.result.codes, full.result.codes);
  assert.equal(again.result.imageRgb, full.result.imageRgb);
});
