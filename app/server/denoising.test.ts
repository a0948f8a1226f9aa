/**
 * A diffusion model in the studio's queue, through the handlers the Generate screen calls, with
 * the transfusion smoke export installed in the data folder and a real library:
 * - the model list gives its denoising choices (samplers, step bounds, defaults) from the
 *   manifest, and a token model none;
 * - absurd steps and samplers are refused at submission with the allowed range, queuing nothing;
 * - a generation reports progress in denoising steps with a preview of the predicted clean image
 *   at every step, records its steps and sampler, and replays byte for byte;
 * - paused, then the studio restarted, it resumes from the saved latent (not from the start) to
 *   the same bytes as an uninterrupted run;
 * - a cancel stops it within a step or two of the request reaching the model.
 */
import assert from 'node:assert/strict';
import { cpSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import type { Channel, RequestOf, ResponseOf, Result } from '../common/contract.ts';
import type { QueueEvent } from '../common/queue-contract.ts';
import { openGallery, type Gallery } from '../gallery/index.ts';
import { InferenceClient } from '../inference/client.ts';
import { SMOKE_DIR } from '../inference/families/transfusion/testing/test-model.ts';
import { readPngText } from '../media/png.ts';
import { dispatch } from './router.ts';
import { StudioService } from './studio-service.ts';

const home = mkdtempSync(join(tmpdir(), 'tessera-denoising-'));
cpSync(SMOKE_DIR, join(home, 'models', 'transfusion-smoke'), { recursive: true });
const MODEL = (JSON.parse(readFileSync(join(SMOKE_DIR, 'manifest.json'), 'utf8')) as { id: string })
  .id;

interface Studio {
  gallery: Gallery;
  client: InferenceClient;
  service: StudioService;
  events: QueueEvent[];
}

function openStudio(): Studio {
  const gallery = openGallery(join(home, 'library'));
  const client = new InferenceClient();
  const events: QueueEvent[] = [];
  const service = new StudioService(home, gallery, client, (name, payload) => {
    if (name === 'jobs:event') events.push(payload as QueueEvent);
  });
  return { gallery, client, service, events };
}

async function closeStudio(s: Studio): Promise<void> {
  await s.client.close();
  s.gallery.close();
}

let studio: Studio;
before(() => {
  studio = openStudio();
});
after(async () => {
  await studio.service.idle();
  await closeStudio(studio);
  rmSync(home, { recursive: true, force: true });
});

async function call<C extends Channel>(channel: C, request: RequestOf<C>): Promise<ResponseOf<C>> {
  const r = (await dispatch(studio.service.handlers, channel, request)) as Result<ResponseOf<C>>;
  if (!r.ok) throw new Error(`${channel}: ${r.error.code}: ${r.error.message}`);
  return r.value;
}

function generate(seed: number, diffusion?: { steps: number; sampler: string }) {
  return {
    modelId: MODEL,
    provider: 'cpu',
    prompt: 'red heart',
    negativePrompt: '',
    style: null,
    seed,
    bestOf: 1,
    count: 1,
    sampling: {
      cfgScale: 3,
      temperature: 1,
      topK: 0,
      topP: 1,
      cdk: null,
      ...(diffusion === undefined ? {} : { diffusion }),
    },
    boardId: null,
  } as RequestOf<'jobs:submitGenerate'>;
}

const ofJob = (events: QueueEvent[], jobId: string) => events.filter((e) => e.jobId === jobId);

/** Resolves when `jobId` has reported `count` progress events. */
async function progressed(s: Studio, jobId: string, count: number): Promise<void> {
  const deadline = Date.now() + 60_000;
  while (ofJob(s.events, jobId).filter((e) => e.type === 'progress').length < count) {
    if (Date.now() > deadline) throw new Error(`job ${jobId} reported no progress`);
    await new Promise((r) => setTimeout(r, 2));
  }
}

test('the model list gives a diffusion model its denoising choices, a token model none', async () => {
  const models = await call('models:list', {});
  const own = models.find((m) => m.id === MODEL)!;
  assert.deepEqual(own.sampling.diffusion, {
    samplers: ['ddim'],
    defaults: { steps: 4, sampler: 'ddim' },
    bounds: { steps: [1, 250] },
  });
  const token = models.find((m) => m.family === 'vq-ar')!;
  assert.equal(token.sampling.diffusion, undefined);
});

test('absurd steps and samplers are refused at submission with the allowed range', async () => {
  const cases: [RequestOf<'jobs:submitGenerate'>, RegExp][] = [
    [generate(1, { steps: 0, sampler: 'ddim' }), /steps must be at least 1/],
    [generate(1, { steps: 100_000, sampler: 'ddim' }), /from 1 to 250 .*not 100000/],
    [generate(1, { steps: 4, sampler: 'euler' }), /euler is a sampler of flow models/],
    [
      generate(1, { steps: 4, sampler: 'plms' }),
      /sampler must be one of ddim, euler, heun, midpoint/,
    ],
  ];
  for (const [request, message] of cases) {
    const r = await dispatch(studio.service.handlers, 'jobs:submitGenerate', request);
    assert.equal(r.ok, false);
    const { code, message: said } = (r as { error: { code: string; message: string } }).error;
    assert.equal(code, 'bad-request');
    assert.match(said, message);
  }
  assert.equal(studio.gallery.jobs.list({ limit: 10 }).length, 0, 'nothing was queued');
});

test('a generation counts denoising steps, previews each one, records its settings and replays', async () => {
  const { jobIds } = await call('jobs:submitGenerate', generate(3, { steps: 6, sampler: 'ddim' }));
  const jobId = jobIds[0]!;
  await studio.service.idle();
  const mine = ofJob(studio.events, jobId);
  // The queue passes progress on at most every 100 ms (and always the last): each in steps.
  const progress = mine.filter((e) => e.type === 'progress');
  assert.ok(progress.every((e) => e.total === 6 && e.unit === 'step'));
  assert.equal(progress[progress.length - 1]!.done, 6);
  const previews = mine.filter((e) => e.type === 'preview');
  assert.equal(previews.length, 6, 'a preview at every step');
  assert.ok(previews.every((p) => Buffer.from(p.imageRgb, 'base64').length === 32 * 32 * 3));
  const [assetId] = (studio.gallery.jobs.get(jobId)!.result as { assetIds: number[] }).assetIds;
  const item = studio.gallery.getItem(assetId!)!;
  const recipe = item.generation!.recipe;
  assert.equal(recipe.steps, 6);
  assert.deepEqual(recipe.sampling.diffusion, { steps: 6, sampler: 'ddim' });
  assert.match(readPngText(readFileSync(item.filePath!)).parameters!, /Steps: 6, Sampler: DDIM/);

  const { jobId: replayId } = await call('gallery:replay', { id: item.id });
  await studio.service.idle();
  const replay = studio.gallery.jobs.get(replayId)!;
  assert.equal(replay.status, 'completed');
  assert.equal((replay.result as { identical: boolean }).identical, true);
});

test('paused, then the studio restarted, it resumes from the saved latent to the same bytes', async () => {
  const steps = 200;
  const { jobIds } = await call('jobs:submitGenerate', generate(11, { steps, sampler: 'ddim' }));
  const paused = jobIds[0]!;
  await progressed(studio, paused, 3);
  await call('jobs:pause', { jobId: paused });
  await studio.service.idle();
  assert.equal(studio.gallery.jobs.get(paused)!.status, 'paused');
  const before = ofJob(studio.events, paused).filter((e) => e.type === 'progress');
  const reached = before[before.length - 1]!.done;
  assert.ok(reached < steps, `paused at step ${reached} of ${steps}`);

  await closeStudio(studio);
  studio = openStudio();
  await call('jobs:resume', { jobId: paused });
  await studio.service.idle();
  const job = studio.gallery.jobs.get(paused)!;
  assert.equal(job.status, 'completed', JSON.stringify(job.error));
  const resumed = ofJob(studio.events, paused).filter((e) => e.type === 'progress');
  assert.ok(resumed[0]!.done > 1, `resumed at step ${resumed[0]!.done}, not from the start`);

  const { jobIds: straight } = await call(
    'jobs:submitGenerate',
    generate(11, { steps, sampler: 'ddim' }),
  );
  await studio.service.idle();
  const a = (job.result as { assetIds: number[] }).assetIds[0]!;
  const b = (studio.gallery.jobs.get(straight[0]!)!.result as { assetIds: number[] }).assetIds[0]!;
  assert.equal(
    studio.gallery.getItem(b)!.sha256,
    studio.gallery.getItem(a)!.sha256,
    'the uninterrupted run writes the same PNG',
  );
});

test('a cancel stops the denoising within a step or two of reaching the model', async () => {
  const steps = 250;
  const { jobIds } = await call('jobs:submitGenerate', generate(12, { steps, sampler: 'ddim' }));
  const jobId = jobIds[0]!;
  await progressed(studio, jobId, 2);
  const previews = () => ofJob(studio.events, jobId).filter((e) => e.type === 'preview').length;
  await call('jobs:cancel', { jobId });
  const asked = previews();
  await studio.service.idle();
  assert.equal(studio.gallery.jobs.get(jobId)!.status, 'cancelled');
  // One preview per step: the steps taken after the cancel was asked for.
  const more = previews() - asked;
  assert.ok(more <= 3, `${more} steps ran after the cancel`);
});
