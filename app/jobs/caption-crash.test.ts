/**
 * Folder captioning survives being killed mid-run: the CLI and its inference process
 * are SIGKILLed together (a power cut, as far as the library can tell) 12 times at seeded
 * points, some during start-up and most while captions and sidecars are being written; then a
 * last run finishes.
 * Every image must end with exactly one result, its caption once in the library and in a
 * Tessera-written sidecar, and the database must pass `PRAGMA integrity_check`.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import sharp from 'sharp';
import { openGallery } from '../gallery/index.ts';
import { DEFAULT_MODEL_ID } from '../models/installed.ts';
import { readSidecar } from '../media/xmp.ts';
import { Prng } from '../inference/engine/rng.ts';
import { TESSERA_CLI } from '../cli/testing/built-cli.ts';

const work = mkdtempSync(join(tmpdir(), 'tessera-crash-'));
after(() => rmSync(work, { recursive: true, force: true }));

// A run is killed at most 3 new results in (1 during start-up), so 12 kills leave at least
// 40 - (10 * 3 + 2) files for the last run: every round's kill lands before the folder is done.
const IMAGES = 40;
const KILLS = 12;
/** Seeds the kill points; a failure names its seed, and TESSERA_CRASH_SEED replays it. */
const SEED = Number(process.env.TESSERA_CRASH_SEED ?? 25);

async function makePhotos(dir: string): Promise<string[]> {
  mkdirSync(join(dir, 'nested'), { recursive: true });
  const files: string[] = [];
  for (let i = 0; i < IMAGES; i++) {
    const hue = (i * 47) % 360;
    const svg = `<svg xmlns="http://www.w3.org/2000/svg" width="96" height="72"><rect width="96" height="72" fill="hsl(${(hue + 180) % 360},40%,85%)"/><circle cx="${20 + (i % 7) * 8}" cy="36" r="${10 + (i % 5) * 4}" fill="hsl(${hue},70%,50%)"/></svg>`;
    const image = sharp(Buffer.from(svg));
    const name = join(
      i % 4 === 0 ? join(dir, 'nested') : dir,
      `photo ${i}.${i % 3 === 0 ? 'jpg' : 'png'}`,
    );
    await (i % 3 === 0 ? image.jpeg({ quality: 85 }) : image.png()).toFile(name);
    files.push(name);
  }
  writeFileSync(join(dir, 'notes.txt'), 'not an image');
  return files;
}

/**
 * When a run is killed: `afterResults` new results into it, then `delayMs` later, or at its next
 * new result if that comes first; with `afterResults` 0, `delayMs` after it starts (during
 * start-up, scanning or model loading) or at its first result. A kill never waits past the
 * next result, so no run can finish the folder before it is killed, however fast the machine.
 */
interface KillPlan {
  afterResults: number;
  delayMs: number;
}

/** Starts a captioning run, killed (the CLI and its inference process together) as planned. */
function captionRun(folder: string, home: string, plan: KillPlan | null) {
  const child = spawn(
    process.execPath,
    [
      TESSERA_CLI,
      'caption',
      '--folder',
      folder,
      '--recursive',
      '--write-xmp',
      '--json',
      '--threads',
      '1',
      '--home',
      home,
    ],
    { detached: true, stdio: ['ignore', 'pipe', 'pipe'] },
  );
  let stdout = '';
  let stderr = '';
  let results = 0;
  let timer: NodeJS.Timeout | null = null;
  const kill = () => {
    if (timer !== null) clearTimeout(timer);
    try {
      process.kill(-child.pid!, 'SIGKILL');
    } catch {
      // already gone
    }
  };
  const arm = (ms: number) => (timer = setTimeout(kill, ms));
  if (plan?.afterResults === 0) arm(plan.delayMs);
  child.stdout.on('data', (chunk: Buffer) => {
    stdout += chunk.toString();
    const now = (stdout.match(/"status":"(captioned|suggestion|failed)"/g) ?? []).length;
    if (now === results) return;
    results = now;
    if (plan === null) return;
    if (timer !== null) kill();
    else if (results >= plan.afterResults) arm(plan.delayMs);
  });
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.once('exit', (code, signal) => resolve({ code, signal })),
  );
  return {
    exited,
    /** new results (files captioned or failed) this run printed */
    results: () => results,
    output: () => ({ stdout, stderr }),
  };
}

test('captioning killed 12 times at seeded points ends with exactly one result per file', async (t) => {
  const folder = join(work, 'photos');
  const home = join(work, 'home');
  const files = await makePhotos(folder);
  const random = new Prng(SEED, 0);
  t.diagnostic(`kill points from seed ${SEED} (set TESSERA_CRASH_SEED to replay another)`);
  for (let round = 0; round < KILLS; round++) {
    // Some kills land during start-up, scanning or model loading; most mid-work.
    const plan: KillPlan =
      round % 6 === 5
        ? { afterResults: 0, delayMs: 200 + random.uniform() * 1200 }
        : { afterResults: 1 + Math.floor(random.uniform() * 2), delayMs: random.uniform() * 40 };
    const run = captionRun(folder, home, plan);
    const { code, signal } = await run.exited;
    const what = `round ${round} (seed ${SEED}, ${JSON.stringify(plan)})`;
    assert.equal(
      signal,
      'SIGKILL',
      `${what} ended by itself (code ${code}): ${run.output().stderr}`,
    );
    assert.ok(run.results() >= plan.afterResults, `${what}: killed after its planned results`);
  }
  const last = captionRun(folder, home, null);
  const { code } = await last.exited;
  assert.equal(code, 0, last.output().stderr);
  assert.ok(last.results() >= 1, 'the kills left work for the last run to finish');

  const gallery = openGallery(join(home, 'library'));
  try {
    assert.equal(gallery.integrityCheck(), 'ok');
    const captions = new Set<number>();
    for (const file of files) {
      const sha = createHash('sha256').update(readFileSync(file)).digest('hex');
      const result = gallery.captionResult(sha, DEFAULT_MODEL_ID);
      assert.equal(result?.status, 'done', `${file} has its one result`);
      const assetId = gallery.findBySha(sha)!;
      const modelCaptions = gallery.getItem(assetId)!.captions.filter((c) => c.source === 'model');
      assert.equal(modelCaptions.length, 1, `${file} is captioned once`);
      captions.add(assetId);
      const sidecar = await readSidecar(file);
      assert.ok(sidecar?.writtenByTessera, `${file} has a Tessera sidecar`);
      assert.equal(sidecar.description, modelCaptions[0]!.text);
    }
    assert.equal(captions.size, IMAGES);
    assert.deepEqual(gallery.captionResultCounts(DEFAULT_MODEL_ID), { done: IMAGES, failed: 0 });
    const jobs = gallery.jobs.list();
    assert.ok(jobs.some((j) => j.status === 'completed'));
    assert.ok(!jobs.some((j) => j.status === 'running'), 'no job is left claiming to run');
  } finally {
    gallery.close();
  }
  assert.ok(!readdirSync(folder).some((f) => f.endsWith('.tmp') && !f.startsWith('.')));
});
