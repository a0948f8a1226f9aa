/**
 * A captioning job's progress counter and its per-file filter counts count the same things: the
 * files that are not images, and the hidden folders skipped, are entries of the list, so they are
 * counted in the progress total too ("263 / 263", "All 263", not "260 / 260" beside "All 263").
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { openGallery } from '../gallery/index.ts';
import { makeJunkFolder } from './testing/junk-folder.ts';
import { TESSERA_CLI } from '../cli/testing/built-cli.ts';

const work = mkdtempSync(join(tmpdir(), 'tessera-caption-counts-'));
after(() => rmSync(work, { recursive: true, force: true }));

test('the progress total is the number of entries the filters count', async () => {
  const junk = await makeJunkFolder(join(work, 'junk'));
  after(() => junk.cleanup());
  const home = join(work, 'home');
  const r = spawnSync(
    process.execPath,
    [TESSERA_CLI, 'caption', '--folder', junk.root, '--recursive', '--json', '--home', home],
    { encoding: 'utf8', timeout: 180_000 },
  );
  assert.equal(r.status, 0, r.stderr);
  const gallery = openGallery(join(home, 'library'));
  try {
    const job = gallery.jobs.list().find((j) => j.kind === 'caption-folder')!;
    const { counts } = gallery.jobs.files(job.id, { after: 0, limit: 1 });
    const entries = Object.values(counts).reduce((a, b) => a + b, 0);
    assert.ok(counts.problem > 0 && counts.skipped > 0, JSON.stringify(counts));
    assert.deepEqual({ done: job.done, total: job.total }, { done: entries, total: entries });
  } finally {
    gallery.close();
  }
});
