/**
 * Running the same recipe again (same model, seed and settings) makes the same bytes, which the
 * library already holds: the run says so (a notice, the job's result, the CLI's output) and
 * returns that item instead of passing it off as new.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { openGallery } from '../gallery/index.ts';
import { TESSERA_CLI } from './testing/built-cli.ts';

const work = mkdtempSync(join(tmpdir(), 'tessera-again-'));
after(() => rmSync(work, { recursive: true, force: true }));

const generate = () =>
  spawnSync(
    process.execPath,
    [
      TESSERA_CLI,
      'generate',
      '--prompt',
      'red heart',
      '--seed',
      '21',
      '--json',
      '--home',
      join(work, 'home'),
    ],
    { encoding: 'utf8', timeout: 120_000 },
  );

interface Printed {
  results: { item: number; job: string; alreadyInLibrary: boolean }[];
}

test('the same seed again returns the item already in the library, and says so', () => {
  const first = generate();
  assert.equal(first.status, 0, first.stderr);
  const made = (JSON.parse(first.stdout) as Printed).results[0]!;
  assert.equal(made.alreadyInLibrary, false);
  assert.doesNotMatch(first.stderr, /already in the library/);

  const second = generate();
  assert.equal(second.status, 0, second.stderr);
  const again = (JSON.parse(second.stdout) as Printed).results[0]!;
  assert.equal(again.item, made.item);
  assert.equal(again.alreadyInLibrary, true);
  assert.match(second.stderr, new RegExp(`already in the library as item ${made.item}`));

  const gallery = openGallery(join(work, 'home', 'library'));
  try {
    assert.equal(gallery.count({}), 1);
    const result = gallery.jobs.get(again.job)!.result as {
      alreadyInLibrary?: number;
      summary: string;
    };
    assert.equal(result.alreadyInLibrary, made.item);
    assert.match(result.summary, /already in the library/);
    assert.equal(gallery.jobs.get(made.job)!.result !== null, true);
    assert.equal(
      (gallery.jobs.get(made.job)!.result as { alreadyInLibrary?: number }).alreadyInLibrary,
      undefined,
    );
  } finally {
    gallery.close();
  }
});
