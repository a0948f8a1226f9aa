import assert from 'node:assert/strict';
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { deflateSync } from 'node:zlib';
import { measureInChild, zlibZeros } from './testing/zlib-bomb.ts';
import {
  MAX_INFLATED_TEXT_PER_CHUNK,
  encodePng,
  pngChunk,
  PngFormatError,
  readPngText,
} from './png.ts';

const dir = await mkdtemp(join(tmpdir(), 'tessera-png-'));
const MIB = 1024 * 1024;

const zeros = zlibZeros;

function withChunks(...chunks: Buffer[]): Buffer {
  const png = encodePng(new Uint8Array(2 * 2 * 3), 2, 2);
  const idat = png.indexOf('IDAT') - 4;
  return Buffer.concat([png.subarray(0, idat), ...chunks, png.subarray(idat)]);
}

const zTXt = (keyword: string, compressed: Buffer) =>
  pngChunk('zTXt', Buffer.concat([Buffer.from(`${keyword}\0\0`, 'latin1'), compressed]));
const compressedITXt = (keyword: string, compressed: Buffer) =>
  pngChunk('iTXt', Buffer.concat([Buffer.from(`${keyword}\0\x01\0\0\0`, 'latin1'), compressed]));

test('text chunks go before the image data, with CRCs other readers accept', () => {
  const png = encodePng(new Uint8Array(2 * 2 * 3), 2, 2, {
    text: { parameters: 'a heart' },
    itext: { tessera: '{"prompt":"☕"}' },
  });
  const idat = png.indexOf('IDAT');
  assert.ok(png.indexOf('tEXtparameters') < idat && png.indexOf('iTXttessera') < idat);
  // IEND's CRC is a constant every PNG shares.
  assert.equal(png.subarray(-4).toString('hex'), 'ae426082');
  assert.deepEqual(readPngText(png), { parameters: 'a heart', tessera: '{"prompt":"☕"}' });
});

test('compressed text within the limits is read', () => {
  const text = 'caption '.repeat(1000);
  const png = withChunks(
    zTXt('Comment', deflateSync(Buffer.from(text, 'latin1'))),
    compressedITXt('Description', deflateSync(Buffer.from(`${text}☕`, 'utf8'))),
  );
  assert.deepEqual(readPngText(png), { Comment: text, Description: `${text}☕` });
});

test('a zTXt or iTXt chunk that inflates past the per-chunk limit is refused, saying why', async () => {
  const bomb = await zeros(MAX_INFLATED_TEXT_PER_CHUNK / MIB + 1);
  for (const png of [
    withChunks(zTXt('Comment', bomb)),
    withChunks(compressedITXt('XML:com.adobe.xmp', bomb)),
  ])
    assert.throws(
      () => readPngText(png),
      (err: Error) =>
        err instanceof PngFormatError && /inflates to more than 8 MiB.*strip it/.test(err.message),
    );
});

test('many chunks that each stay under the limit are refused past the per-file limit', async () => {
  const seven = await zeros(7);
  const chunks = Array.from({ length: 5 }, (_, i) => zTXt(`Comment${i}`, seven));
  assert.throws(() => readPngText(withChunks(...chunks)), /together, more than any image metadata/);
});

test('a small PNG with a 1 GiB zTXt costs little memory and time', async () => {
  const bomb = withChunks(zTXt('parameters', await zeros(1024)));
  assert.ok(bomb.length < 1.2 * MIB, `${bomb.length} bytes`);
  const path = join(dir, 'bomb.png');
  await writeFile(path, bomb);
  const { value, grewMiB, ms } = measureInChild<string>(
    `import { readFileSync } from 'node:fs';
     import { readPngText } from './app/media/png.ts';
     const bytes = readFileSync(process.argv[1]);
     mark();
     try { readPngText(bytes); report('read'); } catch (err) { report(err.message); }`,
    path,
    join(import.meta.dirname, '..', '..'),
  );
  assert.match(value, /"parameters" text chunk inflates to more than 8 MiB/);
  assert.ok(grewMiB < 64, `peak memory grew by ${grewMiB.toFixed(0)} MiB`);
  assert.ok(ms < 1000, `${ms.toFixed(0)} ms`);
});
