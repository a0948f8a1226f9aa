/**
 * A captioning job's per-file results in the library: report order, paging by cursor, a
 * status filter with counts of every status, resume updates instead of duplicates, and the
 * rows going with their job when the queue is pruned.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { GalleryError, type Gallery, type JobFileStatus } from './index.ts';
import { tempGallery } from './testing/helpers.ts';

const isCode = (code: string) => (err: unknown) => err instanceof GalleryError && err.code === code;

function captionJob(gallery: Gallery): string {
  return gallery.jobs.submit({ kind: 'caption-folder', modelId: 'm', request: { folder: '/p' } })
    .id;
}

const file = (path: string, status: JobFileStatus, caption: string | null = null) => ({
  path,
  status,
  caption,
  message: status === 'failed' ? 'is damaged' : null,
});

test('files come back in report order, a page at a time, with counts of every status', () => {
  const gallery = tempGallery();
  const job = captionJob(gallery);
  const statuses: JobFileStatus[] = ['captioned', 'failed', 'skipped', 'problem', 'suggestion'];
  for (let i = 0; i < 25; i++)
    gallery.jobs.recordFile(job, file(`/p/${String(i).padStart(2, '0')}.png`, statuses[i % 5]!));
  const seen: string[] = [];
  let after: number | undefined;
  for (let pages = 0; ; pages++) {
    const page = gallery.jobs.files(job, { limit: 10, ...(after ? { after } : {}) });
    assert.deepEqual(page.counts, {
      captioned: 5,
      suggestion: 5,
      skipped: 5,
      failed: 5,
      problem: 5,
    });
    seen.push(...page.files.map((f) => f.path));
    if (page.next === null) {
      assert.equal(pages, 2);
      break;
    }
    after = page.next;
  }
  assert.deepEqual(
    seen,
    Array.from({ length: 25 }, (_, i) => `/p/${String(i).padStart(2, '0')}.png`),
  );
  const failed = gallery.jobs.files(job, { status: 'failed' });
  assert.deepEqual(
    failed.files.map((f) => [f.path, f.message]),
    ['01', '06', '11', '16', '21'].map((n) => [`/p/${n}.png`, 'is damaged']),
  );
  assert.equal(failed.next, null);
});

test('a file reported again updates its row; "already captioned" keeps the caption', () => {
  const gallery = tempGallery();
  const job = captionJob(gallery);
  gallery.jobs.recordFile(job, file('/p/a.png', 'captioned', 'a red heart'));
  gallery.jobs.recordFile(job, file('/p/b.png', 'failed'));
  // The job was paused and resumed: both files are reported again.
  gallery.jobs.recordFile(job, {
    path: '/p/a.png',
    status: 'skipped',
    caption: null,
    message: 'already captioned',
  });
  gallery.jobs.recordFile(job, file('/p/b.png', 'captioned', 'a blue sky'));
  assert.deepEqual(
    gallery.jobs.files(job).files.map((f) => [f.seq, f.path, f.status, f.caption]),
    [
      [1, '/p/a.png', 'captioned', 'a red heart'],
      [2, '/p/b.png', 'captioned', 'a blue sky'],
    ],
  );
});

test('bad arguments are refused, unknown jobs are not found, pruning removes the rows', () => {
  const gallery = tempGallery();
  const job = captionJob(gallery);
  assert.throws(
    () => gallery.jobs.recordFile(job, { ...file('/p/a.png', 'captioned'), status: 'ok' as never }),
    isCode('invalid'),
  );
  assert.throws(
    () => gallery.jobs.recordFile('nope', file('/p/a.png', 'captioned')),
    isCode('not-found'),
  );
  assert.throws(() => gallery.jobs.files(job, { limit: 0 }), isCode('invalid'));
  assert.throws(() => gallery.jobs.files(job, { after: -1 }), isCode('invalid'));
  gallery.jobs.recordFile(job, file('/p/a.png', 'captioned', 'x'));
  gallery.jobs.claim(job, process.pid);
  gallery.jobs.complete(job, { assetIds: [] });
  assert.equal(gallery.jobs.prune(), 1);
  assert.throws(() => gallery.jobs.files(job), isCode('not-found'));
});

test('masks are kept by the hash the recipe records, and images are read back by hash', async () => {
  const gallery = tempGallery();
  const mask = Uint8Array.from({ length: 1024 }, (_, i) => (i % 3 === 0 ? 1 : 0));
  const sha = await gallery.storeMask(mask);
  assert.match(sha, /^[0-9a-f]{64}$/);
  assert.equal(await gallery.storeMask(mask), sha);
  assert.deepEqual(await gallery.readMask(sha), mask);
  assert.equal(await gallery.readMask('0'.repeat(64)), null);
  const bytes = new Uint8Array(Buffer.from('not even an image, just bytes'));
  const stored = await gallery.storeBytes(bytes);
  assert.deepEqual(new Uint8Array((await gallery.readImageBytes(stored.sha256))!), bytes);
  assert.equal(await gallery.readImageBytes('1'.repeat(64)), null);
});
