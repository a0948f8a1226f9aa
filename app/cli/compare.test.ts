/**
 * Compare with the shipped models: `tessera compare` runs one prompt through every installed
 * model that can generate (vq-ar and jpeg-lm), same seed, adds each result to the library and
 * writes a labelled sheet; the studio's `compare:run` queues the same runs as jobs whose results
 * stream on jobs:event.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import sharp from 'sharp';
import type { Result } from '../common/contract.ts';
import { recipeSchema } from '../common/recipe.ts';
import { openGallery } from '../gallery/index.ts';
import { InferenceClient } from '../inference/client.ts';
import { readPngText } from '../media/png.ts';
import { dispatch } from '../server/router.ts';
import { StudioService } from '../server/studio-service.ts';
import { TESSERA_CLI } from './testing/built-cli.ts';

const work = mkdtempSync(join(tmpdir(), 'tessera-compare-'));
after(() => rmSync(work, { recursive: true, force: true }));
const home = join(work, 'home');

const tessera = (...args: string[]) =>
  spawnSync(process.execPath, [TESSERA_CLI, ...args, '--home', home], {
    encoding: 'utf8',
    timeout: 240_000,
  });

interface Printed {
  out: string;
  seed: number;
  results: {
    model: string;
    family: string;
    item: number;
    seconds: number;
    score: number | null;
  }[];
}

test('tessera compare runs every generating model once and writes the sheet', async () => {
  const out = join(work, 'sheet.png');
  const r = tessera('compare', '--prompt', 'red heart', '--seed', '12', '--out', out, '--json');
  assert.equal(r.status, 0, r.stderr);
  const printed = JSON.parse(r.stdout) as Printed;
  assert.deepEqual(printed.results.map((c) => c.family).sort(), [
    'jpeg-lm',
    'transfusion',
    'vq-ar',
  ]);
  for (const c of printed.results) {
    assert.ok(c.seconds > 0, `${c.model} timed`);
    assert.equal(typeof c.score, 'number', `${c.model} scores its own prompt`);
  }
  const meta = await sharp(out).metadata();
  assert.deepEqual([meta.format, meta.width, meta.height], ['png', 8 + 3 * 200, 28 + 192 + 76 + 8]);

  const gallery = openGallery(join(home, 'library'));
  try {
    for (const c of printed.results) {
      const item = gallery.getItem(c.item)!;
      const recipe = recipeSchema.parse(
        JSON.parse(readPngText(readFileSync(item.filePath!)).tessera!),
      );
      assert.deepEqual([recipe.modelId, recipe.seed, recipe.prompt], [c.model, 12, 'red heart']);
    }
  } finally {
    gallery.close();
  }

  const unknown = tessera('compare', '--prompt', 'x', '--models', 'nope', '--out', out);
  assert.equal(unknown.status, 2);
  assert.match(unknown.stderr, /"nope" is not an installed model that can generate/);
});

test('compare:run queues one generate job per model, streamed on jobs:event', async () => {
  const studio = join(work, 'studio');
  const gallery = openGallery(join(studio, 'library'));
  const client = new InferenceClient();
  const events: { type?: string; jobId?: string; assetIds?: number[] }[] = [];
  const service = new StudioService(studio, gallery, client, (_n, p) => events.push(p as never));
  after(async () => {
    await service.idle();
    await client.close();
    gallery.close();
  });
  const models = (await dispatch(service.handlers, 'models:list', {})) as Result<
    { id: string; family: string }[]
  >;
  assert.ok(models.ok);
  const vqAr = models.value.find((m) => m.family === 'vq-ar')!;
  const started = (await dispatch(service.handlers, 'compare:run', {
    prompt: 'red heart',
    seed: 3,
    modelIds: [vqAr.id],
    provider: 'cpu',
  })) as Result<{ seed: number; runs: { modelId: string; family: string; jobId: string }[] }>;
  assert.ok(started.ok, JSON.stringify(started));
  assert.equal(started.value.seed, 3);
  assert.deepEqual(
    started.value.runs.map((r) => [r.modelId, r.family]),
    [[vqAr.id, 'vq-ar']],
  );
  await service.idle();
  const done = events.find(
    (e) => e.type === 'completed' && e.jobId === started.value.runs[0]!.jobId,
  );
  assert.ok(done !== undefined, 'the result arrives as an event');
  assert.equal(gallery.getItem(done.assetIds![0]!)!.generation!.recipe.seed, 3);

  // The cell's figures: its time, and the model's own score of the prompt, the same the CLI
  // reports for the same image (the CLI's seed-3 image is made again here by the CLI).
  const measured = (await dispatch(service.handlers, 'compare:measure', {
    id: done.assetIds![0]!,
  })) as Result<{ seconds: number | null; logProbPerToken: number | null }>;
  assert.ok(measured.ok, JSON.stringify(measured));
  assert.ok(measured.value.seconds !== null && measured.value.seconds > 0, 'timed');
  const cli = JSON.parse(
    tessera(
      'compare',
      '--prompt',
      'red heart',
      '--seed',
      '3',
      '--models',
      vqAr.id,
      '--out',
      join(work, 'one.png'),
      '--json',
    ).stdout,
  ) as Printed;
  assert.equal(measured.value.logProbPerToken, cli.results[0]!.score);
  const notMade = await dispatch(service.handlers, 'compare:measure', { id: 999_999 });
  assert.equal(notMade.ok, false);

  // Shared settings: every model is given them, each held inside its own bounds.
  const shared = (await dispatch(service.handlers, 'compare:run', {
    prompt: 'red heart',
    seed: 3,
    modelIds: [vqAr.id],
    provider: 'cpu',
    sampling: { cfgScale: 99, temperature: 0.5, topK: 7, topP: 0.8 },
  })) as Result<{ runs: { jobId: string }[] }>;
  assert.equal(shared.ok, false, 'a CFG over 50 is refused at the boundary');
  const sharedOk = (await dispatch(service.handlers, 'compare:run', {
    prompt: 'red heart',
    seed: 3,
    modelIds: [vqAr.id],
    provider: 'cpu',
    sampling: { cfgScale: 30, temperature: 0.5, topK: 7, topP: 0.8 },
  })) as Result<{ runs: { jobId: string }[] }>;
  assert.ok(sharedOk.ok, JSON.stringify(sharedOk));
  await service.idle();
  const sharedJob = gallery.jobs.get(sharedOk.value.runs[0]!.jobId)!;
  const sharedItem = gallery.getItem((sharedJob.result as { assetIds: number[] }).assetIds[0]!)!;
  assert.deepEqual(
    { ...sharedItem.generation!.recipe.sampling, decoding: undefined },
    { cfgScale: 20, temperature: 0.5, topK: 7, topP: 0.8, cdk: null, decoding: undefined },
    "the CFG of 30 held at the model's largest, 20",
  );

  const refused = await dispatch(service.handlers, 'compare:run', {
    prompt: 'red heart',
    modelIds: ['nope'],
    provider: 'cpu',
  });
  assert.equal(refused.ok, false);
});
