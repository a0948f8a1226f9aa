/**
 * `caption --folder --write-xmp` after a run without it: each photo the model captioned gets its
 * missing sidecar, none is written over (or beside) an owner's caption, and a sidecar deleted
 * later comes back on the next run, though the library already holds every caption.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import sharp from 'sharp';
import { buildXmp, readSidecar, sidecarPathFor } from '../media/xmp.ts';
import { DEFAULT_MODEL_ID } from '../models/installed.ts';
import { TESSERA_CLI } from '../cli/testing/built-cli.ts';

const work = mkdtempSync(join(tmpdir(), 'tessera-write-xmp-'));
const home = join(work, 'home');
const photos = join(work, 'photos');
const at = (name: string) => join(photos, name);
const OWNER_SIDECAR = buildXmp({ description: 'Harbour lights', creatorTool: 'darktable' });
after(() => rmSync(work, { recursive: true, force: true }));

const picture = (seed: number) =>
  sharp({
    create: { width: 40, height: 40, channels: 3, background: { r: seed * 50, g: 30, b: 90 } },
  });

before(async () => {
  mkdirSync(photos);
  await picture(1).jpeg().toFile(at('one.jpg'));
  await picture(2).png().toFile(at('two.png'));
  await picture(3)
    .jpeg()
    .withExif({ IFD0: { ImageDescription: 'Our first flat, 2011' } })
    .toFile(at('owner-exif.jpg'));
  await picture(4).jpeg().toFile(at('owner-sidecar.jpg'));
  await writeFile(sidecarPathFor(at('owner-sidecar.jpg')), OWNER_SIDECAR);
});

function caption(...extra: string[]) {
  const r = spawnSync(
    process.execPath,
    [TESSERA_CLI, 'caption', '--folder', photos, ...extra, '--home', home, '--json'],
    { encoding: 'utf8', timeout: 180_000 },
  );
  assert.equal(r.status, 0, r.stderr);
  return r.stdout
    .split('\n')
    .filter((l) => l.startsWith('{"type":"file"'))
    .map((l) => JSON.parse(l) as { path: string; status: string; caption: string | null });
}

const sidecars = () =>
  readdirSync(photos)
    .filter((f) => f.endsWith('.xmp'))
    .sort();

test('a rerun with --write-xmp writes each missing sidecar, never over an owner caption', async () => {
  const first = caption();
  assert.equal(first.filter((e) => e.status === 'captioned').length, 2);
  assert.deepEqual(sidecars(), ['owner-sidecar.jpg.xmp'], 'without --write-xmp, no sidecar');
  const captions = new Map(first.map((e) => [e.path, e.caption]));

  const second = caption('--write-xmp');
  assert.ok(
    second.every((e) => e.status === 'skipped'),
    'nothing is captioned twice',
  );
  assert.deepEqual(sidecars(), ['one.jpg.xmp', 'owner-sidecar.jpg.xmp', 'two.png.xmp']);
  for (const name of ['one.jpg', 'two.png']) {
    const sidecar = await readSidecar(at(name));
    assert.equal(sidecar?.writtenByTessera, true, name);
    assert.equal(sidecar?.captionBy, DEFAULT_MODEL_ID, name);
    assert.equal(sidecar?.description, captions.get(at(name)), `${name}: the model's caption`);
  }
  assert.equal(readFileSync(sidecarPathFor(at('owner-sidecar.jpg')), 'utf8'), OWNER_SIDECAR);
  assert.ok(!existsSync(sidecarPathFor(at('owner-exif.jpg'))), 'no model words beside an owner');

  rmSync(sidecarPathFor(at('one.jpg')));
  const third = caption('--write-xmp');
  assert.ok(third.every((e) => e.status === 'skipped'));
  assert.equal((await readSidecar(at('one.jpg')))?.description, captions.get(at('one.jpg')));
  assert.deepEqual(sidecars(), ['one.jpg.xmp', 'owner-sidecar.jpg.xmp', 'two.png.xmp']);
});
