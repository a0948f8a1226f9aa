import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import sharp from 'sharp';
import { NotARegularFileError, SNIFF_LENGTH, readHead, sniffImageType } from './sniff.ts';

const dir = await mkdtemp(join(tmpdir(), 'tessera-sniff-'));
after(() => rm(dir, { recursive: true, force: true }));

const tiny = () => sharp({ create: { width: 4, height: 4, channels: 3, background: '#3a7' } });

function ftyp(major: string, compatible: string[]): Uint8Array {
  const size = 16 + 4 * compatible.length;
  const box = Buffer.alloc(size + 8);
  box.writeUInt32BE(size, 0);
  box.write('ftyp', 4, 'latin1');
  box.write(major, 8, 'latin1');
  compatible.forEach((brand, i) => box.write(brand, 16 + 4 * i, 'latin1'));
  return box;
}

test('files encoded by sharp are recognised from their first bytes', async () => {
  const cases: [Buffer, string, string][] = [
    [await tiny().png().toBuffer(), 'image/png', 'png'],
    [await tiny().jpeg().toBuffer(), 'image/jpeg', 'jpg'],
    [await tiny().gif().toBuffer(), 'image/gif', 'gif'],
    [await tiny().webp().toBuffer(), 'image/webp', 'webp'],
    [await tiny().tiff().toBuffer(), 'image/tiff', 'tif'],
    [await tiny().avif().toBuffer(), 'image/avif', 'avif'],
  ];
  for (const [bytes, mime, ext] of cases) {
    assert.deepEqual(sniffImageType(bytes.subarray(0, SNIFF_LENGTH)), { mime, ext }, mime);
  }
});

test('signatures written by hand: big-endian TIFF, BigTIFF, HEIC, HEIF and BMP', () => {
  const bmp = Buffer.alloc(54);
  bmp.write('BM', 0, 'latin1');
  bmp.writeUInt32LE(40, 14);
  assert.equal(
    sniffImageType(Buffer.from([0x4d, 0x4d, 0x00, 0x2a, 0, 0, 0, 8]))?.mime,
    'image/tiff',
  );
  assert.equal(
    sniffImageType(Buffer.from([0x49, 0x49, 0x2b, 0x00, 8, 0, 0, 0]))?.mime,
    'image/tiff',
  );
  assert.equal(sniffImageType(ftyp('heic', ['mif1', 'heic']))?.mime, 'image/heic');
  assert.equal(sniffImageType(ftyp('mif1', ['mif1', 'miaf']))?.mime, 'image/heif');
  // An AVIF announced only among the compatible brands.
  assert.equal(sniffImageType(ftyp('mif1', ['avif', 'mif1']))?.mime, 'image/avif');
  assert.deepEqual(sniffImageType(bmp), { mime: 'image/bmp', ext: 'bmp' });
});

test('near misses are not images', () => {
  const notBmp = Buffer.alloc(54);
  notBmp.write('BMW owner manual', 0, 'latin1');
  const cases: [string, Uint8Array][] = [
    ['empty', new Uint8Array(0)],
    ['a PNG signature cut short', Buffer.from([0x89, 0x50, 0x4e, 0x47])],
    ['text', Buffer.from('hello, this is not a picture at all')],
    ['an MP4 video (ftyp without image brands)', ftyp('isom', ['isom', 'mp42'])],
    ['text starting with BM', notBmp],
    ['RIFF that is a WAV file', Buffer.from('RIFF\x24\x00\x00\x00WAVEfmt ', 'latin1')],
    ['a GIF-like word', Buffer.from('GIF90a', 'latin1')],
    ['JPEG SOI without a marker after it', Buffer.from([0xff, 0xd8, 0x00, 0x00])],
  ];
  for (const [what, head] of cases) assert.equal(sniffImageType(head), null, what);
});

test('readHead returns at most the requested bytes, and all of a shorter file', async () => {
  const path = join(dir, 'short.bin');
  await writeFile(path, Buffer.from([1, 2, 3]));
  assert.deepEqual([...(await readHead(path))], [1, 2, 3]);
  const png = join(dir, 'image.png');
  await writeFile(png, await tiny().png().toBuffer());
  const head = await readHead(png, 8);
  assert.equal(head.length, 8);
  assert.equal(sniffImageType(await readHead(png))?.mime, 'image/png');
});

test('readHead refuses a FIFO at once instead of blocking on it', async () => {
  const fifo = join(dir, 'pipe.png');
  execFileSync('mkfifo', [fifo]);
  const started = Date.now();
  await assert.rejects(readHead(fifo), NotARegularFileError);
  assert.ok(Date.now() - started < 2000);
});
