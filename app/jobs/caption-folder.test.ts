/**
 * `tessera caption --folder` on a folder of every hard case, with the real model and a real
 * library: each image gets its one result, every special file is reported without stopping or
 * hanging the job, user captions are never overwritten, a rerun does nothing twice, and the
 * captions are searchable.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import type { QueueEvent } from '../common/queue-contract.ts';
import { openGallery } from '../gallery/index.ts';
import { readSidecar, sidecarCandidates, sidecarPathFor } from '../media/xmp.ts';
import { DEFAULT_MODEL_ID } from '../models/installed.ts';
import { expectedScan, makeJunkFolder, type JunkFolder } from './testing/junk-folder.ts';
import { TESSERA_CLI } from '../cli/testing/built-cli.ts';

const work = mkdtempSync(join(tmpdir(), 'tessera-caption-folder-'));
const home = join(work, 'home');
let junk: JunkFolder;
const asRoot = process.getuid?.() === 0;

before(async () => {
  junk = await makeJunkFolder(join(work, 'junk'));
});
after(async () => {
  await junk.cleanup();
  rmSync(work, { recursive: true, force: true });
});

function tessera(...args: string[]) {
  const r = spawnSync(process.execPath, [TESSERA_CLI, ...args, '--home', home], {
    encoding: 'utf8',
    timeout: 180_000,
  });
  return { code: r.status ?? -1, stdout: r.stdout, stderr: r.stderr };
}

/** The sidecar a user (or another tool) wrote: photo.jpg.xmp or photo.xmp. */
const userSidecar = (path: string) => sidecarCandidates(path).find((p) => existsSync(p))!;

const fileEvents = (stdout: string) =>
  stdout
    .split('\n')
    .filter((l) => l.startsWith('{"type":"file"'))
    .map((l) => JSON.parse(l) as Extract<QueueEvent, { type: 'file' }>);

test('every file gets one honest outcome; user captions win; a rerun does nothing twice', () => {
  const sidecarsBefore = new Map(
    junk.cases
      .filter((c) => c.existingCaption?.source === 'sidecar')
      .map((c) => [c.relPath, readFileSync(userSidecar(join(junk.root, c.relPath)))]),
  );
  const first = tessera('caption', '--folder', junk.root, '--recursive', '--write-xmp', '--json');
  assert.equal(first.code, 0, first.stderr);
  assert.match(first.stderr, /trained on emoji only/);
  const events = fileEvents(first.stdout);
  const byPath = new Map(events.map((e) => [e.path, e]));
  const gallery = openGallery(join(home, 'library'));
  try {
    // The per-file list is kept in the library: read back a page at a time, it is the events.
    const job = gallery.jobs.list().find((j) => j.kind === 'caption-folder')!;
    const kept = [];
    for (let after = 0; ;) {
      const page = gallery.jobs.files(job.id, { after, limit: 7 });
      kept.push(
        ...page.files.map(({ path, status, caption, message }) => ({
          path,
          status,
          caption,
          message,
        })),
      );
      if (page.next === null) break;
      after = page.next;
    }
    assert.deepEqual(
      kept,
      events.map(({ path, status, caption, message }) => ({ path, status, caption, message })),
    );
    for (const c of junk.cases) {
      const path = join(junk.root, c.relPath);
      const expected = expectedScan(c, asRoot);
      const event = byPath.get(path);
      if (expected.kind === 'silent') continue;
      if (expected.kind === 'problem' && expected.reason === 'hidden-folder') {
        assert.equal(event?.status, 'skipped', `${c.what}: on its own line`);
        assert.match(event.message ?? '', /^skipped: hidden folder \(.*--include-hidden\)$/);
        continue;
      }
      if (expected.kind === 'problem') {
        assert.equal(event?.status, 'problem', `${c.what}: reported as a problem`);
        assert.ok((event.message ?? '').length > 10, `${c.what}: says what is wrong`);
        continue;
      }
      if (c.isFolder === true) continue;
      assert.ok(event !== undefined, `${c.what}: has an outcome`);
      if (c.decodes === false) {
        assert.equal(event.status, 'failed', `${c.what}: fails on its own`);
        assert.ok((event.message ?? '').length > 10);
        continue;
      }
      const existing = c.existingCaption;
      const expectSuggestion = existing !== undefined && !existing.writtenByTessera;
      // A copy of a picture captioned earlier in the run reuses that caption.
      const reused = event.status === 'skipped' && /captioned before/.test(event.message ?? '');
      if (!reused)
        assert.equal(event.status, expectSuggestion ? 'suggestion' : 'captioned', c.what);
      const sha = createHash('sha256').update(readFileSync(path)).digest('hex');
      assert.equal(gallery.captionResult(sha, DEFAULT_MODEL_ID)?.status, 'done', c.what);
      const item = gallery.getItem(gallery.findBySha(sha)!)!;
      const mine = item.captions.filter((x) => x.source === 'model');
      assert.equal(mine.length, 1, c.what);
      if (!reused) assert.equal(mine[0]!.role, expectSuggestion ? 'suggestion' : 'current', c.what);
      if (expectSuggestion && !reused) assert.match(mine[0]!.conflict ?? '', /kept the caption/);
      if (existing?.source === 'sidecar' && !existing.writtenByTessera)
        assert.deepEqual(
          readFileSync(userSidecar(path)),
          sidecarsBefore.get(c.relPath),
          `${c.what}: the user's sidecar is untouched`,
        );
    }
  } finally {
    gallery.close();
  }

  const again = tessera('caption', '--folder', junk.root, '--recursive', '--write-xmp', '--json');
  assert.equal(again.code, 0, again.stderr);
  const rerun = fileEvents(again.stdout);
  assert.ok(
    rerun.every((e) => e.status === 'skipped' || e.status === 'problem'),
    `nothing is captioned twice: ${JSON.stringify(rerun.filter((e) => e.status !== 'skipped' && e.status !== 'problem'))}`,
  );
});

test('captions written to sidecars are Tessera-marked and searchable in the library', async () => {
  const captioned = junk.cases.find(
    (c) =>
      c.scan.kind === 'image' &&
      c.decodes !== false &&
      c.existingCaption === undefined &&
      c.isFolder !== true,
  )!;
  const path = join(junk.root, captioned.relPath);
  assert.ok(existsSync(sidecarPathFor(path)));
  const sidecar = await readSidecar(path);
  assert.equal(sidecar?.writtenByTessera, true);
  const word = sidecar!.description!.split(' ')[0]!;
  const found = tessera('library', 'search', word, '--json');
  assert.equal(found.code, 0, found.stderr);
  const { items } = JSON.parse(found.stdout) as { items: { filePath: string | null }[] };
  assert.ok(
    items.some((i) => i.filePath === path),
    `search for "${word}" finds ${path}`,
  );
});
