/**
 * A caption the owner already wrote is the item's caption whichever way the photo comes in:
 * folder captioning and `library import` both store it as the current caption (searchable, the
 * item's title), found in an XMP sidecar, in embedded EXIF, or in a PNG `Description` text; the
 * model's caption stays a suggestion beside it. With the real model and real libraries.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import sharp from 'sharp';
import { openGallery } from '../gallery/index.ts';
import { encodePng } from '../media/png.ts';
import { buildXmp } from '../media/xmp.ts';
import { DEFAULT_MODEL_ID } from '../models/installed.ts';
import { TESSERA_CLI } from '../cli/testing/built-cli.ts';

const work = mkdtempSync(join(tmpdir(), 'tessera-owner-caption-'));
const photos = join(work, 'photos');
after(() => rmSync(work, { recursive: true, force: true }));

function tessera(home: string, ...args: string[]) {
  const r = spawnSync(process.execPath, [TESSERA_CLI, ...args, '--home', home, '--json'], {
    encoding: 'utf8',
    timeout: 180_000,
  });
  assert.equal(r.status, 0, r.stderr);
  return r.stdout.trim().split('\n');
}

const picture = (seed: number) =>
  sharp({
    create: { width: 48, height: 32, channels: 3, background: { r: seed * 40, g: 90, b: 160 } },
  });

/** file name → the owner's caption in it (null: none) */
const OWNERS: Record<string, string | null> = {
  'exif.jpg': 'Grandmas garden, June 2019',
  'sidecar.jpg': 'Ferry to the island at dawn',
  'described.png': 'Lantern festival over the river',
  'plain.jpg': null,
};

before(async () => {
  mkdirSync(photos);
  await picture(1)
    .jpeg()
    .withExif({ IFD0: { ImageDescription: OWNERS['exif.jpg']! } })
    .toFile(join(photos, 'exif.jpg'));
  await picture(2).jpeg().toFile(join(photos, 'sidecar.jpg'));
  writeFileSync(
    join(photos, 'sidecar.jpg.xmp'),
    buildXmp({ description: OWNERS['sidecar.jpg']!, creatorTool: 'Adobe Lightroom' }),
  );
  const rgb = await picture(3).raw().toBuffer();
  writeFileSync(
    join(photos, 'described.png'),
    encodePng(rgb, 48, 32, { text: { Description: OWNERS['described.png']! } }),
  );
  await picture(4).jpeg().toFile(join(photos, 'plain.jpg'));
});

interface Item {
  id: number;
  title: string;
  captions: { text: string; source: string; role: string }[];
}

function itemsByFile(home: string, ids: Map<string, number>): Map<string, Item> {
  return new Map(
    [...ids].map(([name, id]) => [
      name,
      JSON.parse(tessera(home, 'library', 'show', String(id))[0]!) as Item,
    ]),
  );
}

function assertOwnersKept(home: string, items: Map<string, Item>, how: string): void {
  for (const [name, owner] of Object.entries(OWNERS)) {
    const item = items.get(name)!;
    const current = item.captions.find((c) => c.role === 'current');
    if (owner === null) {
      assert.notEqual(current?.source, 'file', `${how}, ${name}: no owner caption invented`);
      continue;
    }
    assert.deepEqual(
      current && { text: current.text, source: current.source },
      { text: owner, source: 'file' },
      `${how}, ${name}: the owner's caption is the item's caption`,
    );
    assert.equal(item.title, owner, `${how}, ${name}: and its title`);
    assert.ok(
      item.captions.every((c) => c.source !== 'model' || c.role === 'suggestion'),
      `${how}, ${name}: a model caption is only a suggestion`,
    );
    const word = owner.split(' ').at(-1)!.replace(/\W/g, '');
    const found = JSON.parse(tessera(home, 'library', 'search', word)[0]!) as {
      items: { id: number }[];
    };
    assert.ok(
      found.items.some((i) => i.id === item.id),
      `${how}, ${name}: searching "${word}" finds it`,
    );
  }
}

test('folder captioning keeps an owner caption as the item caption, the model one beside it', () => {
  const home = join(work, 'captioned');
  const events = tessera(home, 'caption', '--folder', photos)
    .filter((l) => l.startsWith('{"type":"file"'))
    .map((l) => JSON.parse(l) as { path: string; status: string });
  assert.equal(events.length, 4);
  for (const e of events)
    assert.equal(
      e.status,
      e.path.endsWith('plain.jpg') ? 'captioned' : 'suggestion',
      `${e.path}: ${e.status}`,
    );
  const list = JSON.parse(tessera(home, 'library', 'list')[0]!) as {
    items: { id: number; filePath: string }[];
  };
  const ids = new Map(list.items.map((i) => [i.filePath.split('/').at(-1)!, i.id]));
  const items = itemsByFile(home, ids);
  assertOwnersKept(home, items, 'captioned');
  assert.ok(items.get('exif.jpg')!.captions.some((c) => c.source === 'model'));
});

test('library import keeps the same owner captions, sidecar and PNG text included', () => {
  const home = join(work, 'imported');
  const rows = tessera(
    home,
    'library',
    'import',
    ...Object.keys(OWNERS).map((n) => join(photos, n)),
  ).map((l) => JSON.parse(l) as { path: string; assetId: number });
  const ids = new Map(rows.map((r) => [r.path.split('/').at(-1)!, r.assetId]));
  assertOwnersKept(home, itemsByFile(home, ids), 'imported');
});

test('a library captioned before owner captions were stored gets them on the next run', async () => {
  const home = join(work, 'older');
  const folder = join(work, 'older-photos');
  mkdirSync(folder);
  const path = join(folder, 'pier.jpg');
  await picture(5)
    .jpeg()
    .withExif({ IFD0: { ImageDescription: 'The old pier before the storm' } })
    .toFile(path);
  // What folder captioning stored until now: the photo, and the model's caption as a
  // suggestion whose conflict note alone held the owner's words.
  const gallery = openGallery(join(home, 'library'));
  let assetId: number;
  try {
    const rootId = gallery.addLibraryRoot(folder);
    const bytes = readFileSync(path);
    const sha256 = createHash('sha256').update(bytes).digest('hex');
    ({ assetId } = await gallery.addPhoto({
      path,
      sha256,
      mime: 'image/jpeg',
      width: 48,
      height: 32,
      size: bytes.length,
      exif: null,
      origin: 'library',
    }));
    gallery.saveCaption({
      sha256,
      assetId,
      fileId: gallery.libraryFile(rootId, 'pier.jpg')!.id,
      modelId: DEFAULT_MODEL_ID,
      text: 'a grey picture',
      role: 'suggestion',
      conflict: 'kept the caption already in its embedded EXIF ("The old pier before the storm")',
    });
  } finally {
    gallery.close();
  }
  const events = tessera(home, 'caption', '--folder', folder)
    .filter((l) => l.startsWith('{"type":"file"'))
    .map((l) => JSON.parse(l) as { status: string; message: string });
  assert.deepEqual(
    events.map((e) => e.status),
    ['skipped'],
  );
  assert.match(events[0]!.message, /embedded EXIF is now the item's caption/);
  const item = JSON.parse(tessera(home, 'library', 'show', String(assetId))[0]!) as Item;
  assert.equal(item.title, 'The old pier before the storm');
  assert.deepEqual(
    item.captions.map((c) => `${c.role}:${c.source}`),
    ['current:file', 'suggestion:model'],
  );
});
