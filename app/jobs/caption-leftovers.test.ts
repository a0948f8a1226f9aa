/**
 * Folder captioning through the real CLI and model, on what an interrupted run and a camera's
 * folder leave behind: the temporary sidecars of a killed `--write-xmp` run are removed when
 * captioning runs again (and nothing else that merely looks like them), and a hidden folder is
 * named on its own line and counted, then captioned when hidden folders are included.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import sharp from 'sharp';
import type { QueueEvent } from '../common/queue-contract.ts';
import { openGallery } from '../gallery/index.ts';
import { buildXmp, sidecarPathFor } from '../media/xmp.ts';
import { TESSERA_CLI } from '../cli/testing/built-cli.ts';

const work = mkdtempSync(join(tmpdir(), 'tessera-caption-leftovers-'));
const home = join(work, 'home');
const photos = join(work, 'photos');
after(() => rmSync(work, { recursive: true, force: true }));

function tessera(...args: string[]) {
  const r = spawnSync(process.execPath, [TESSERA_CLI, ...args, '--home', home, '--json'], {
    encoding: 'utf8',
    timeout: 180_000,
  });
  assert.equal(r.status, 0, r.stderr);
  const events = r.stdout
    .split('\n')
    .filter((l) => l.startsWith('{"type":"file"'))
    .map((l) => JSON.parse(l) as Extract<QueueEvent, { type: 'file' }>);
  return { events, stderr: r.stderr };
}

/** Deterministic noise: a picture the model has words for. */
function picture(seed: number) {
  const pixels = Buffer.alloc(24 * 16 * 3);
  let s = seed;
  for (let i = 0; i < pixels.length; i++) {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    pixels[i] = s >>> 24;
  }
  return sharp(pixels, { raw: { width: 24, height: 16, channels: 3 } });
}

/** The last caption-folder job's totals, as the library keeps them. */
function lastTotals(): Record<string, unknown> {
  const gallery = openGallery(join(home, 'library'));
  try {
    const job = gallery.jobs.list().find((j) => j.kind === 'caption-folder')!;
    return job.result as Record<string, unknown>;
  } finally {
    gallery.close();
  }
}

test('a killed run’s temporary sidecars go; hidden folders are named, counted, then included', async () => {
  mkdirSync(join(photos, '.thumbs'), { recursive: true });
  await picture(1).png().toFile(join(photos, 'a.png'));
  await picture(2).jpeg().toFile(join(photos, 'b.jpg'));
  await picture(3)
    .png()
    .toFile(join(photos, '.thumbs', 'c.png'));
  // One flat colour, which this model describes with no words: that file fails, not the job.
  const flat = { width: 20, height: 20, channels: 3 as const, background: '#c81e1e' };
  await sharp({ create: flat }).png().toFile(join(photos, 'flat.png'));
  const xmp = buildXmp({ description: 'half-written' });
  // What a kill -9 between write and rename leaves: `.<sidecar>.<12 hex>.tmp`, complete.
  const leftover = join(photos, `.${'a.png.xmp'}.0123456789ab.tmp`);
  const hiddenLeftover = join(photos, '.thumbs', '.c.png.xmp.abcdefabcdef.tmp');
  // Look-alikes that are not ours, or not beside their photo: never touched.
  const decoys = [
    join(photos, '.zz.png.xmp.0123456789ab.tmp'),
    join(photos, '.a.png.xmp.tmp'),
    join(photos, 'a.png.xmp.0123456789ab.tmp'),
    join(photos, '.a.png.xmp.0123456789AB.tmp'),
  ];
  for (const p of [leftover, hiddenLeftover, ...decoys]) writeFileSync(p, xmp);

  const first = tessera('caption', '--folder', photos, '--recursive', '--write-xmp');
  assert.equal(existsSync(leftover), false, 'the leftover beside a.png is removed');
  assert.match(first.stderr, /removed 1 unfinished sidecar file \(\.\*\.xmp\.\*\.tmp\)/);
  for (const d of decoys) assert.equal(existsSync(d), true, `${d} is left alone`);
  assert.equal(existsSync(hiddenLeftover), true, 'a hidden folder is not touched unasked');
  assert.ok(existsSync(sidecarPathFor(join(photos, 'a.png'))), 'the real sidecar is written');
  const hidden = first.events.find((e) => e.path === join(photos, '.thumbs'));
  assert.deepEqual(hidden && [hidden.status, hidden.message], [
    'skipped',
    'skipped: hidden folder (to caption its photos, include hidden folders: --include-hidden)',
  ]);
  const outcome = (name: string) => first.events.find((e) => e.path === join(photos, name));
  assert.deepEqual(
    ['a.png', 'b.jpg'].map((n) => outcome(n)?.status),
    ['captioned', 'captioned'],
  );
  assert.ok(['captioned', 'failed'].includes(outcome('flat.png')?.status ?? ''));
  const totals = lastTotals();
  assert.equal(totals.hiddenFolders, 1);
  assert.equal(totals.leftoversRemoved, 1);
  assert.match(String(totals.summary), /1 hidden folders skipped/);

  const second = tessera(
    'caption',
    '--folder',
    photos,
    '--recursive',
    '--write-xmp',
    '--include-hidden',
  );
  assert.equal(existsSync(hiddenLeftover), false);
  const c = second.events.find((e) => e.path === join(photos, '.thumbs', 'c.png'));
  assert.equal(c?.status, 'captioned');
  assert.ok(!second.events.some((e) => e.message?.includes('hidden folder')));
  assert.equal(lastTotals().hiddenFolders, 0);
});
