/**
 * Where an export may go: a relative destination is refused (it would land in whatever folder
 * the studio runs in), and a destination that cannot be written is a user error that says to
 * choose another, never `internal`. Nothing is written into the working folder.
 */
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { describeError } from '../common/errors.ts';
import { openGallery } from '../gallery/index.ts';
import { addSampleGeneration } from '../gallery/testing/sample-generation.ts';
import { exportToFolder, exportToZip } from './export-items.ts';

const work = mkdtempSync(join(tmpdir(), 'tessera-export-dest-'));
const gallery = openGallery(join(work, 'library'));
const cwd = process.cwd();
const runsIn = join(work, 'server-cwd');
after(() => {
  process.chdir(cwd);
  gallery.close();
  rmSync(work, { recursive: true, force: true });
});

async function refusedAs(run: Promise<unknown>, code: string, message: RegExp) {
  let caught: unknown;
  await run.catch((err: unknown) => (caught = err));
  const described = describeError(caught);
  assert.equal(described.code, code, described.message);
  assert.match(described.message, message);
}

test('a relative destination is refused, and nothing lands in the working folder', async () => {
  const id = await addSampleGeneration(gallery, 7);
  mkdirSync(runsIn);
  process.chdir(runsIn);
  for (const to of ['exports', 'out.zip', './a/b.zip', '../escape'])
    await refusedAs(
      to.endsWith('.zip') ? exportToZip(gallery, [id], to) : exportToFolder(gallery, [id], to),
      'bad-destination',
      /is not a full path: give the destination's full path/,
    );
  assert.deepEqual(readdirSync(runsIn), []);
  assert.ok(!readdirSync(work).includes('escape'));
  process.chdir(cwd);
});

test('a destination that cannot be written says to choose another, under a user code', async () => {
  const id = await addSampleGeneration(gallery, 9);
  const file = join(work, 'a-file');
  writeFileSync(file, 'x');
  await refusedAs(
    exportToFolder(gallery, [id], join(file, 'sub')),
    'bad-destination',
    /a-file.sub cannot be used \(ENOTDIR\): choose another destination/,
  );
  await refusedAs(
    exportToZip(gallery, [id], join(file, 'out.zip')),
    'bad-destination',
    /choose another destination/,
  );
  await refusedAs(
    exportToFolder(gallery, [id], '/proc/tessera-export'),
    'bad-destination',
    /choose another destination/,
  );
  await refusedAs(
    exportToZip(gallery, [424242], join(work, 'x.zip')),
    'not-found',
    /there is no library item 424242/,
  );
});
