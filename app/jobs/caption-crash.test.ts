/**
 * Folder captioning survives being killed at random points: the CLI and its inference process
 * are SIGKILLed together (a power cut, as far as the library can tell) 24 times, some during
 * start-up and most while captions and sidecars are being written; then a last run finishes.
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

const root = join(import.meta.dirname, '..', '..');
const work = mkdtempSync(join(tmpdir(), 'tessera-crash-'));
after(() => rmSync(work, { recursive: true, force: true }));

const IMAGES = 72;
const KILLS = 24;

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

/** Starts a captioning run; resolves when it exits or is killed. */
function captionRun(folder: string, home: string) {
  const child = spawn(
    process.execPath,
    [
      join(root, 'bin', 'tessera.mjs'),
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
  let newWork = 0;
  const listeners: (() => void)[] = [];
  child.stdout.on('data', (chunk: Buffer) => {
    stdout += chunk.toString();
    newWork = (stdout.match(/"status":"(captioned|suggestion|failed)"/g) ?? []).length;
    for (const l of listeners) l();
  });
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const exited = new Promise<number | null>((resolve) =>
    child.once('exit', (code) => resolve(code)),
  );
  return {
    exited,
    output: () => ({ stdout, stderr }),
    /** resolves once this run has finished `n` new files (or exited) */
    afterWork: (n: number) =>
      new Promise<void>((resolve) => {
        const check = () => newWork >= n && resolve();
        listeners.push(check);
        check();
        void exited.then(() => resolve());
      }),
    kill: () => {
      try {
        process.kill(-child.pid!, 'SIGKILL');
      } catch {
        // already gone
      }
    },
  };
}

test('captioning killed 24 times at random points ends with exactly one result per file', async () => {
  const folder = join(work, 'photos');
  const home = join(work, 'home');
  const files = await makePhotos(folder);
  let midWork = 0;
  for (let round = 0; round < KILLS; round++) {
    const run = captionRun(folder, home);
    if (round % 6 === 5) {
      // Some kills land during start-up, scanning or model loading.
      await new Promise((r) => setTimeout(r, 200 + Math.random() * 1200));
    } else {
      await run.afterWork(1 + Math.floor(Math.random() * 3));
      await new Promise((r) => setTimeout(r, Math.random() * 40));
      midWork++;
    }
    run.kill();
    const code = await run.exited;
    if (code === 0) break; // finished before the kill: nothing left to interrupt
  }
  assert.ok(midWork >= 15, `most kills landed mid-work (${midWork})`);
  const last = captionRun(folder, home);
  const code = await last.exited;
  assert.equal(code, 0, last.output().stderr);

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
