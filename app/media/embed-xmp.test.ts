import assert from 'node:assert/strict';
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import exifr from 'exifr';
import sharp from 'sharp';
import {
  EmbedXmpError,
  embedXmp,
  extractXmp,
  findWebpChunk,
  XmpTooLargeError,
} from './embed-xmp.ts';
import { encodePng, pngITextChunk, readPngText } from './png.ts';
import { buildXmp, parseXmp } from './xmp.ts';

const dir = await mkdtemp(join(tmpdir(), 'tessera-embed-'));
const CAPTION = 'A red kite over the dunes — “café” & <friends>\nsecond line ☕';
const ours = buildXmp({ description: CAPTION, tesseraModel: 'model-a' });
const theirs = buildXmp({ description: 'Old caption by another tool' });

/** A noisy picture, so that any re-encoding would change pixels. */
function noise(width: number, height: number, channels: 3 | 4): Buffer {
  const data = Buffer.alloc(width * height * channels);
  let s = 12345;
  for (let i = 0; i < data.length; i++) {
    s = (s * 1103515245 + 12345) >>> 0;
    data[i] = s >>> 24;
  }
  return data;
}

const image = (channels: 3 | 4) =>
  sharp(noise(37, 23, channels), { raw: { width: 37, height: 23, channels } });

async function pixels(bytes: Uint8Array): Promise<Buffer> {
  return sharp(bytes).raw().toBuffer();
}

function count(haystack: Uint8Array, needle: string): number {
  return Buffer.from(haystack).toString('latin1').split(needle).length - 1;
}

test('PNG: the packet goes into an iTXt chunk right after IHDR, pixels and other chunks unchanged', async () => {
  // sharp writes its own XMP as zTXt: that one must be replaced, not kept beside ours.
  const original = await image(4).png().withXmp(theirs).toBuffer();
  const out = embedXmp(original, 'image/png', ours);
  assert.deepEqual(await pixels(out), await pixels(original));
  assert.equal(count(out, 'XML:com.adobe.xmp'), 1);
  // Signature (8 bytes), IHDR (25 bytes), then the chunk's length and type.
  assert.equal(Buffer.from(out).indexOf('iTXtXML:com.adobe.xmp'), 8 + 25 + 4);
  assert.equal(extractXmp(out, 'image/png'), ours);
  const parsed = parseXmp(extractXmp(out, 'image/png')!);
  assert.deepEqual([parsed.description, parsed.writtenByTessera], [CAPTION, true]);
  // exifr finds the packet where other tools look for it.
  const read = await exifr.parse(out, { xmp: true, mergeOutput: false });
  assert.equal(read.dc.description.value.startsWith('A red kite over the dunes'), true);
  // The first caption was sharp's zTXt: extraction reads that form too.
  assert.equal(
    parseXmp(extractXmp(original, 'image/png')!).description,
    'Old caption by another tool',
  );
});

test('PNG: the A1111 parameters chunk and the pixel data survive byte for byte', () => {
  const rgb = noise(8, 8, 3);
  const original = encodePng(rgb, 8, 8, { text: { parameters: 'red heart\nSteps: 20' } });
  const out = Buffer.from(embedXmp(original, 'image/png', ours));
  assert.equal(readPngText(out).parameters, 'red heart\nSteps: 20');
  const idat = (b: Buffer) => {
    const at = b.indexOf('IDAT') - 4;
    return b.subarray(at, at + 12 + b.readUInt32BE(at));
  };
  assert.ok(idat(out).equals(idat(original)));
  // Embedding again replaces: still exactly one packet.
  const twice = embedXmp(out, 'image/png', theirs);
  assert.equal(count(twice, 'XML:com.adobe.xmp'), 1);
  assert.equal(extractXmp(twice, 'image/png'), theirs);
});

test('PNG: exifr reading the file finds the packet, also when the original had it after IDAT', async () => {
  // A recipe ahead of the image data, larger than the 512 bytes exifr first reads of a file.
  const bare = encodePng(noise(8, 8, 3), 8, 8, {
    text: { parameters: 'red heart' },
    itext: { tessera: JSON.stringify({ codes: Array.from({ length: 300 }, (_, i) => i) }) },
  });
  const iend = bare.length - 12;
  const late = Buffer.concat([
    bare.subarray(0, iend),
    pngITextChunk('XML:com.adobe.xmp', theirs),
    bare.subarray(iend),
  ]);
  assert.equal(parseXmp(extractXmp(late, 'image/png')!).description, 'Old caption by another tool');
  for (const original of [bare, late]) {
    const out = Buffer.from(embedXmp(original, 'image/png', ours));
    assert.equal(count(out, 'XML:com.adobe.xmp'), 1);
    assert.ok(out.indexOf('iTXtXML:com.adobe.xmp') < out.indexOf('iTXttessera'));
    assert.equal(readPngText(out).tessera, readPngText(bare).tessera);
    const path = join(dir, 'read-from-disk.png');
    await writeFile(path, out);
    // From a path exifr reads the file in chunks and stops at the image data.
    const read = await exifr.parse(path, { xmp: true, mergeOutput: false });
    assert.equal(read?.dc?.description?.value?.startsWith('A red kite over the dunes'), true);
  }
});

test('JPEG: Extended XMP segments stay for the new packet to refer to', async () => {
  const bare = await image(3).jpeg().toBuffer();
  const extension = Buffer.concat([
    Buffer.from('http://ns.adobe.com/xmp/extension/\0', 'latin1'),
    Buffer.from('0123456789ABCDEF0123456789ABCDEF', 'latin1'), // GUID
    Buffer.from([0, 0, 0, 20, 0, 0, 0, 0]), // full length, offset
    Buffer.from('<x:xmpmeta>...</x:x>', 'latin1'),
  ]);
  const segment = Buffer.concat([Buffer.from([0xff, 0xe1, 0, 0]), extension]);
  segment.writeUInt16BE(segment.length - 2, 2);
  const withMain = Buffer.from(embedXmp(bare, 'image/jpeg', theirs));
  const sos = withMain.indexOf(Buffer.from([0xff, 0xdb]));
  const original = Buffer.concat([withMain.subarray(0, sos), segment, withMain.subarray(sos)]);
  const out = Buffer.from(embedXmp(original, 'image/jpeg', ours));
  assert.equal(extractXmp(out, 'image/jpeg'), ours);
  assert.ok(out.includes(segment), 'the extension segment is kept as it was');
  assert.equal(count(out, 'http://ns.adobe.com/xap/1.0/\0'), 1);
});

test('JPEG: an APP1 XMP segment after JFIF and Exif; scan data untouched', async () => {
  const original = await image(3)
    .jpeg({ quality: 90 })
    .withExif({ IFD0: { Make: 'Tessera Test', ImageDescription: 'exif text' } })
    .withXmp(theirs)
    .toBuffer();
  const out = Buffer.from(embedXmp(original, 'image/jpeg', ours));
  assert.deepEqual(await pixels(out), await pixels(original));
  const sos = (b: Buffer) => b.subarray(b.indexOf(Buffer.from([0xff, 0xda])));
  assert.ok(sos(out).equals(sos(original)));
  assert.equal(count(out, 'http://ns.adobe.com/xap/1.0/\0'), 1);
  assert.ok(out.indexOf('Exif\0\0') < out.indexOf('http://ns.adobe.com/xap/1.0/'));
  assert.equal(extractXmp(out, 'image/jpeg'), ours);
  const read = await exifr.parse(out, { xmp: true, tiff: true, mergeOutput: false });
  assert.equal(read.ifd0.Make, 'Tessera Test');
  assert.equal(read.dc.description.value.startsWith('A red kite over the dunes'), true);
  assert.equal(parseXmp(extractXmp(out, 'image/jpeg')!).writtenByTessera, true);
});

test('JPEG: a file with no metadata gets the segment right after SOI or JFIF', async () => {
  const bare = await image(3).jpeg().toBuffer();
  const out = Buffer.from(embedXmp(bare, 'image/jpeg', ours));
  assert.deepEqual(await pixels(out), await pixels(bare));
  const app1 = out.indexOf(Buffer.from([0xff, 0xe1]));
  assert.ok(app1 > 0 && app1 < out.indexOf(Buffer.from([0xff, 0xdb])), 'XMP before the tables');
  // Legacy fill bytes between segments are allowed by the spec.
  const filled = Buffer.concat([bare.subarray(0, 2), Buffer.from([0xff, 0xff]), bare.subarray(2)]);
  assert.deepEqual(await pixels(embedXmp(filled, 'image/jpeg', ours)), await pixels(bare));
});

test('a packet too large for one JPEG segment is refused with advice', async () => {
  const bare = await image(3).jpeg().toBuffer();
  const huge = buildXmp({ description: 'x'.repeat(70_000) });
  assert.throws(() => embedXmp(bare, 'image/jpeg', huge), XmpTooLargeError);
  assert.throws(() => embedXmp(bare, 'image/jpeg', huge), /at most 65504: write a sidecar/);
});

test('a packet just over the JPEG limit fits by shrinking its padding, and only that', async () => {
  const bare = await image(3).jpeg().toBuffer();
  const padding = `${' '.repeat(99)}\n`.repeat(40); // 4000 bytes, as Adobe leaves for edits
  const full = buildXmp({ description: 'y'.repeat(31_500) }).replace(
    '<?xpacket end="w"?>',
    `${padding}<?xpacket end="w"?>`,
  );
  assert.ok(Buffer.byteLength(full) > 65504);
  const packet = extractXmp(embedXmp(bare, 'image/jpeg', full), 'image/jpeg')!;
  assert.ok(Buffer.byteLength(packet) <= 65504);
  const body = (xmp: string) => xmp.replace(/\s*<\?xpacket end="w"\?>\s*$/, '');
  assert.equal(body(packet), body(full));
  assert.match(packet, /\n<\?xpacket end="w"\?>\n$/);
});

test('other formats and damaged files are refused, never half-written', async () => {
  const webp = await image(3).webp().toBuffer();
  const gif = await image(3).gif().toBuffer();
  assert.throws(() => embedXmp(webp, 'image/webp', ours), EmbedXmpError);
  assert.throws(() => embedXmp(gif, 'image/gif', ours), /write a sidecar instead/);
  const jpeg = await image(3).jpeg().toBuffer();
  const png = await image(3).png().toBuffer();
  assert.throws(() => embedXmp(jpeg.subarray(0, 10), 'image/jpeg', ours), /truncated/);
  assert.throws(() => embedXmp(png.subarray(0, png.length - 6), 'image/png', ours), /truncated/);
  assert.throws(() => embedXmp(png, 'image/jpeg', ours), /not a JPEG/);
  assert.throws(() => embedXmp(jpeg, 'image/png', ours), /not a PNG/);
});

test('extraction reads WebP and returns null, never throws, for anything broken', async () => {
  const webp = await image(3).webp().withXmp(theirs).toBuffer();
  assert.equal(
    parseXmp(extractXmp(webp, 'image/webp')!).description,
    'Old caption by another tool',
  );
  assert.ok(findWebpChunk(webp, 'VP8X'));
  assert.equal(findWebpChunk(webp, 'NOPE'), null);
  const withXmp = Buffer.from(embedXmp(await image(3).jpeg().toBuffer(), 'image/jpeg', ours));
  const sosAt = withXmp.indexOf(Buffer.from([0xff, 0xda]));
  // Cut after the metadata, in the image data: the packet is still readable.
  assert.equal(extractXmp(withXmp.subarray(0, sosAt + 10), 'image/jpeg'), ours);
  for (const [what, bytes, mime] of [
    ['garbage as PNG', Buffer.from('garbage garbage'), 'image/png'],
    ['garbage as JPEG', Buffer.from('garbage garbage'), 'image/jpeg'],
    ['a JPEG cut inside its XMP', withXmp.subarray(0, 100), 'image/jpeg'],
    ['empty', Buffer.alloc(0), 'image/webp'],
    ['a TIFF', Buffer.from('II*\0'), 'image/tiff'],
  ] as const)
    assert.equal(extractXmp(bytes, mime), null, what);
});
