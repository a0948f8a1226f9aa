/**
 * Metadata round trips through the `tessera` command line, checked by readers nobody on this
 * project wrote: ExifTool and exifr.
 *
 * - Photos carrying rich XMP, IPTC and EXIF written by ExifTool are imported, captioned by the
 *   shipped model and exported: every property their owner wrote reads back unchanged, Tessera
 *   adds only properties it owns, and the caption fields of each file agree with each other.
 * - Tessera's own PNGs (a generation and an infill, with a Unicode, multi-line prompt), as
 *   generated and as exported: ExifTool reads them without a warning and exifr reading the file
 *   finds the XMP packet.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import {
  copyFileSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import exifr from 'exifr';
import sharp from 'sharp';
import { embedXmp } from '../media/embed-xmp.ts';
import { EMPTY_XMP_PACKET } from '../media/xmp.ts';
import {
  exiftool,
  NOT_METADATA,
  readTags,
  requireExiftool,
  type Tags,
  warnings,
} from '../media/testing/exiftool.ts';
import { TESSERA_CLI } from '../cli/testing/built-cli.ts';

requireExiftool();

const work = mkdtempSync(join(tmpdir(), 'tessera-roundtrip-'));
const home = join(work, 'home');
const photos = join(work, 'photos');
const originals = join(work, 'originals');
const exported = join(work, 'exported');
after(() => rmSync(work, { recursive: true, force: true }));

function tessera(...args: string[]): string {
  const r = spawnSync(process.execPath, [TESSERA_CLI, ...args, '--home', home], {
    encoding: 'utf8',
    timeout: 180_000,
  });
  assert.equal(r.status, 0, `tessera ${args.join(' ')}\n${r.stderr}`);
  return r.stdout;
}

const jsonLines = <T>(stdout: string): T[] =>
  stdout
    .trim()
    .split('\n')
    .filter((line) => line.startsWith('{'))
    .map((line) => JSON.parse(line) as T);

const OWNER_CAPTION = 'Grandma’s garden, 1998 — “roses” & <tulips> ☕';
const PNG_CAPTION = 'Harbour at dawn, Porto';
const PROMPT = 'Café “heart” ❤ — red & gold\nsecond line';

/** The owner's metadata, as ExifTool arguments, shared by the photos. */
const RICH = [
  '-XMP-dc:Creator=Ana Núñez',
  '-XMP-dc:Rights=© 2024 Ana Núñez, all rights reserved',
  '-XMP-xmp:Rating=4',
  '-XMP-photoshop:Credit=Ana Núñez / Family archive',
  '-XMP-xmpRights:Marked=True',
  '-XMP-exif:GPSLatitude=48.8566',
  '-XMP-exif:GPSLongitude=2.3522',
  '-EXIF:Make=Canon',
  '-EXIF:Model=Canon EOS 5D',
  '-EXIF:DateTimeOriginal=2019:06:01 12:34:56',
  '-GPSLatitude=48.8566',
  '-GPSLatitudeRef=N',
  '-GPSLongitude=2.3522',
  '-GPSLongitudeRef=E',
  '-IPTC:CodedCharacterSet=UTF8',
  '-IPTC:By-line=Ana Núñez',
  '-IPTC:CopyrightNotice=© 2024 Ana Núñez',
];
const KEYWORDS = [
  '-XMP-dc:Subject=garden',
  '-XMP-dc:Subject=family',
  '-IPTC:Keywords=garden',
  '-IPTC:Keywords=family',
];

/** name → ExifTool arguments that give it its owner's metadata. */
const PHOTOS: Record<string, string[]> = {
  // The caption everywhere a caption can be, agreeing.
  'owner-everywhere.jpg': [
    ...RICH,
    ...KEYWORDS,
    `-XMP-dc:Description=${OWNER_CAPTION}`,
    `-EXIF:ImageDescription=${OWNER_CAPTION}`,
    `-IPTC:Caption-Abstract=${OWNER_CAPTION}`,
  ],
  // Only IPTC has the caption: the XMP must not gain a different one.
  'owner-iptc.jpg': [...RICH, `-IPTC:Caption-Abstract=${OWNER_CAPTION}`],
  // No caption anywhere: the model's caption is added, nothing else changes.
  'uncaptioned.jpg': [...RICH, ...KEYWORDS],
  // A PNG whose owner wrote its Description text chunk.
  'owner.png': [
    `-PNG:Description=${PNG_CAPTION}`,
    '-XMP-dc:Creator=Ana Núñez',
    '-XMP-dc:Rights=© 2024 Ana Núñez',
    '-XMP-xmp:Rating=3',
  ],
};

/** Properties Tessera may add to an exported photo (never change: see `unchanged`). */
const TESSERA_OWNS =
  /^XMP-(dc:Description|tiff:ImageDescription|tessera:.*|dc:Subject|xmp:Rating)$/;
const CAPTION_FIELDS = [
  'XMP-dc:Description',
  'XMP-tiff:ImageDescription',
  'IFD0:ImageDescription',
  'IPTC:Caption-Abstract',
  'PNG:Description',
];

const metadataOf = (tags: Tags) =>
  Object.fromEntries(Object.entries(tags).filter(([key]) => !NOT_METADATA.test(key)));

function captionsOf(tags: Tags): Record<string, unknown> {
  return Object.fromEntries(CAPTION_FIELDS.filter((f) => f in tags).map((f) => [f, tags[f]]));
}

const exportedFile = (id: number, folder = exported) => {
  const name = readdirSync(folder).find((f) => f.startsWith(`${id}-`) && !f.endsWith('.xmp'));
  assert.ok(name, `item ${id} was exported`);
  return join(folder, name);
};

let ids: Record<string, number> = {};

before(async () => {
  mkdirSync(photos);
  mkdirSync(originals);
  for (const [index, name] of Object.keys(PHOTOS).entries()) {
    const image = sharp({
      create: { width: 48, height: 32, channels: 3, background: { r: 40 * index, g: 120, b: 90 } },
    });
    await (name.endsWith('.png') ? image.png() : image.jpeg()).toFile(join(photos, name));
    exiftool('-overwrite_original', '-charset', 'iptc=UTF8', ...PHOTOS[name]!, join(photos, name));
    copyFileSync(join(photos, name), join(originals, name));
  }
  const imported = jsonLines<{ path: string; status: string; assetId: number }>(
    tessera('library', 'import', photos, '--json'),
  );
  ids = Object.fromEntries(imported.map((row) => [row.path.split('/').pop()!, row.assetId]));
  assert.deepEqual(Object.keys(ids).sort(), Object.keys(PHOTOS).sort());
  tessera('caption', '--folder', photos);
  tessera('library', 'export', ...Object.values(ids).map(String), '--out', exported);
});

for (const name of Object.keys(PHOTOS)) {
  test(`${name}: every property its owner wrote reads back unchanged with ExifTool`, () => {
    const before = metadataOf(readTags(join(originals, name)));
    const after = metadataOf(readTags(exportedFile(ids[name]!)));
    for (const [key, value] of Object.entries(before))
      assert.deepEqual(after[key], value, `${key} changed`);
    const added = Object.keys(after).filter((key) => !(key in before));
    assert.deepEqual(
      added.filter((key) => !TESSERA_OWNS.test(key)),
      [],
      'Tessera adds only properties it owns',
    );
    assert.deepEqual(warnings(readTags(exportedFile(ids[name]!))), []);
  });

  test(`${name}: the exported file's caption fields agree with each other`, async () => {
    const file = exportedFile(ids[name]!);
    const captions = captionsOf(readTags(file));
    const values = new Set(Object.values(captions));
    assert.equal(values.size, 1, JSON.stringify(captions));
    if (name !== 'uncaptioned.jpg')
      assert.deepEqual(captions, captionsOf(readTags(join(originals, name))), 'the owner’s own');
    else
      assert.deepEqual(Object.keys(captions).sort(), [
        'XMP-dc:Description',
        'XMP-tiff:ImageDescription',
      ]);
    // exifr, reading the file from disk, finds the same packet.
    const xmp = await exifr.parse(file, { xmp: true, mergeOutput: false });
    assert.equal(xmp?.dc?.creator, 'Ana Núñez');
  });
}

test('the model caption exported with an uncaptioned photo is marked as the model’s', () => {
  const tags = readTags(exportedFile(ids['uncaptioned.jpg']!));
  const show = JSON.parse(tessera('library', 'show', String(ids['uncaptioned.jpg']), '--json')) as {
    captions: { role: string; source: string; text: string; modelId: string }[];
  };
  const current = show.captions.find((c) => c.role === 'current')!;
  assert.equal(current.source, 'model');
  assert.equal(tags['XMP-dc:Description'], current.text);
  assert.equal(tags['XMP-tessera:CaptionBy'], current.modelId);
});

test('Tessera PNGs, generated and exported: ExifTool reads them without warnings, exifr finds the XMP', async () => {
  const made = jsonLines<{ results: { item: number; file: string }[] }>(
    tessera('generate', '--prompt', PROMPT, '--seed', '11', '--json'),
  )[0]!.results[0]!;
  // White where the model repaints: the lower half.
  const mask = join(work, 'mask.png');
  const half = Buffer.alloc(32 * 32, 0).fill(255, 32 * 16);
  await sharp(half, { raw: { width: 32, height: 32, channels: 1 } })
    .png()
    .toFile(mask);
  const infilled = jsonLines<{ item: number; file: string }>(
    tessera(
      'infill',
      '--item',
      String(made.item),
      '--mask',
      mask,
      '--prompt',
      PROMPT,
      '--seed',
      '5',
      '--json',
    ),
  )[0]!;
  const folder = join(work, 'exported-generations');
  tessera('library', 'export', String(made.item), String(infilled.item), '--out', folder);
  for (const [what, item, file] of [
    ['generation', made.item, made.file],
    ['infill', infilled.item, infilled.file],
  ] as const) {
    const asGenerated = readTags(file);
    assert.deepEqual(warnings(asGenerated), [], `${what} as generated`);
    assert.match(
      String(asGenerated['PNG:Parameters']),
      /^Café “heart” ❤ — red & gold\nsecond line\n/,
    );
    const out = join(
      folder,
      readdirSync(folder).find((f) => f.startsWith(`${item}-`))!,
    );
    const tags = readTags(out);
    assert.deepEqual(warnings(tags), [], `${what} exported`);
    assert.equal(tags['XMP-dc:Description'], PROMPT);
    assert.equal(tags['PNG:Parameters'], asGenerated['PNG:Parameters']);
    assert.equal(
      tags['XMP-iptcExt:DigitalSourceType'],
      what === 'infill'
        ? 'http://cv.iptc.org/newscodes/digitalsourcetype/compositeWithTrainedAlgorithmicMedia'
        : 'http://cv.iptc.org/newscodes/digitalsourcetype/trainedAlgorithmicMedia',
    );
    const read = await exifr.parse(out, { xmp: true, mergeOutput: false });
    // exifr hands back XML text undecoded (`&amp;` for `&`); the text itself is intact.
    const decoded = String(read?.dc?.description?.value)
      .replace(/&lt;/g, '<')
      .replace(/&gt;/g, '>')
      .replace(/&amp;/g, '&');
    assert.equal(decoded, PROMPT, `exifr reads the ${what}'s XMP`);
  }
});

test('a JPEG whose own XMP leaves no room for the caption is exported untouched, with a sidecar', async () => {
  const folder = join(work, 'full-packet');
  mkdirSync(folder);
  const path = join(folder, 'full.jpg');
  const withRights = (rights: string) =>
    EMPTY_XMP_PACKET.replace(
      '<rdf:Description rdf:about=""/>',
      `<rdf:Description rdf:about="" xmlns:dc="http://purl.org/dc/elements/1.1/"><dc:rights><rdf:Alt><rdf:li xml:lang="x-default">${rights}</rdf:li></rdf:Alt></dc:rights></rdf:Description>`,
    );
  // 100 bytes short of the 65504 a JPEG XMP segment holds: too few for a caption.
  const rights = `© Ana Núñez. ${'x'.repeat(65404 - Buffer.byteLength(withRights('© Ana Núñez. ')))}`;
  const packet = withRights(rights);
  const jpeg = await sharp({ create: { width: 16, height: 16, channels: 3, background: '#a63' } })
    .jpeg()
    .toBuffer();
  writeFileSync(path, embedXmp(jpeg, 'image/jpeg', packet));
  const [row] = jsonLines<{ assetId: number }>(tessera('library', 'import', path, '--json'));
  tessera('caption', '--folder', folder);
  const out = join(work, 'full-exported');
  tessera('library', 'export', String(row!.assetId), '--out', out);
  const file = exportedFile(row!.assetId, out);
  assert.deepEqual(readFileSync(file), readFileSync(path), 'the file leaves as it came');
  const sidecar = readTags(`${file}.xmp`);
  assert.equal(sidecar['XMP-dc:Rights'], rights);
  assert.equal(typeof sidecar['XMP-dc:Description'], 'string');
  assert.deepEqual(warnings(sidecar), []);
});
