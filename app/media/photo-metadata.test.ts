import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtemp, open, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import sharp from 'sharp';
import { makeJunkFolder, type JunkFolder } from '../jobs/testing/junk-folder.ts';
import { embedXmp } from './embed-xmp.ts';
import { encodePng, pngChunk } from './png.ts';
import { measureInChild, zlibZeros } from './testing/zlib-bomb.ts';
import { isMeaningfulCaption, readPhotoMetadata } from './photo-metadata.ts';
import { buildXmp } from './xmp.ts';

const repoRoot = join(import.meta.dirname, '..', '..');
const dir = await mkdtemp(join(tmpdir(), 'tessera-photo-meta-'));
let junk: JunkFolder;
before(async () => {
  junk = await makeJunkFolder(join(dir, 'junk'));
});
after(async () => {
  await junk?.cleanup();
  await rm(dir, { recursive: true, force: true });
});

const picture = () => sharp({ create: { width: 12, height: 8, channels: 3, background: '#68a' } });

test('captions and EXIF values of the junk folder are found, from a path and from bytes', async () => {
  for (const c of junk.cases) {
    if (c.scan.kind !== 'image' || c.relPath === 'unreadable.png') continue;
    const path = join(junk.root, ...c.relPath.split('/'));
    const fromPath = await readPhotoMetadata(path);
    const fromBytes = await readPhotoMetadata(await readFile(path));
    assert.deepEqual(fromBytes, fromPath, `${c.relPath}: bytes and path disagree`);
    const expected =
      c.existingCaption && c.existingCaption.source !== 'sidecar'
        ? {
            text: c.existingCaption.text,
            from: c.existingCaption.source,
            writtenByTessera: c.existingCaption.writtenByTessera,
          }
        : null;
    assert.deepEqual(fromPath.embeddedCaption, expected, c.relPath);
    for (const [key, value] of Object.entries(c.exif ?? {}))
      assert.equal(fromPath.exif?.[key as 'make'], value, `${c.relPath}: ${key}`);
  }
});

test('camera, time with its offset, place and size', async () => {
  const jpeg = await picture()
    .jpeg()
    .withExif({
      IFD0: { Make: 'Canon', Model: 'EOS 5D Mark IV' },
      IFD2: { DateTimeOriginal: '2023:06:01 12:34:56', OffsetTimeOriginal: '+02:00' },
      IFD3: {
        GPSLatitudeRef: 'N',
        GPSLatitude: '48/1 51/1 2964/100',
        GPSLongitudeRef: 'W',
        GPSLongitude: '2/1 17/1 4008/100',
      },
    })
    .toBuffer();
  const { exif } = await readPhotoMetadata(jpeg);
  assert.equal(exif?.make, 'Canon');
  assert.equal(exif?.model, 'EOS 5D Mark IV');
  assert.equal(exif?.takenAt, '2023-06-01T12:34:56+02:00');
  assert.equal(exif?.width, 12);
  assert.equal(exif?.height, 8);
  assert.ok(Math.abs(exif!.gps!.lat - 48.858233) < 1e-5);
  assert.ok(Math.abs(exif!.gps!.lon + 2.294467) < 1e-5);
});

test('placeholder dates and a 0,0 position are not reported', async () => {
  const jpeg = await picture()
    .jpeg()
    .withExif({
      IFD0: { Make: 'Phone' },
      IFD2: { DateTimeOriginal: '0000:00:00 00:00:00' },
      IFD3: {
        GPSLatitudeRef: 'N',
        GPSLatitude: '0/1 0/1 0/1',
        GPSLongitudeRef: 'E',
        GPSLongitude: '0/1 0/1 0/1',
      },
    })
    .toBuffer();
  const { exif } = await readPhotoMetadata(jpeg);
  assert.equal(exif?.make, 'Phone');
  assert.equal(exif?.takenAt, undefined);
  assert.equal(exif?.gps, undefined);
});

test('a user’s caption anywhere outranks Tessera’s; a mirror of Tessera’s stays Tessera’s', async () => {
  const tesseraXmp = buildXmp({ description: 'A red bicycle', tesseraModel: 'm' });
  const withExif = (description: string) =>
    picture()
      .jpeg()
      .withExif({ IFD0: { ImageDescription: description } })
      .toBuffer();
  const userInExif = embedXmp(await withExif('My bike, Paris 2019'), 'image/jpeg', tesseraXmp);
  assert.deepEqual((await readPhotoMetadata(userInExif)).embeddedCaption, {
    text: 'My bike, Paris 2019',
    from: 'exif',
    writtenByTessera: false,
  });
  const mirrored = embedXmp(await withExif('A red bicycle'), 'image/jpeg', tesseraXmp);
  assert.deepEqual((await readPhotoMetadata(mirrored)).embeddedCaption, {
    text: 'A red bicycle',
    from: 'xmp',
    writtenByTessera: true,
  });
  const userXmp = buildXmp({ description: 'Written in Lightroom' });
  const bothUser = embedXmp(await withExif('Old EXIF note'), 'image/jpeg', userXmp);
  assert.equal((await readPhotoMetadata(bothUser)).embeddedCaption?.from, 'xmp');
});

test('camera default descriptions and blanks are not captions', () => {
  for (const junkText of [
    '',
    '   \n ',
    'OLYMPUS DIGITAL CAMERA',
    'olympus  digital camera ',
    'SONY DSC',
    'DCIM',
    'KODAK Digital Still Camera',
    'Exif_JPEG_PICTURE',
    'IMG_1234.JPG',
    'DSC01234',
    'PXL_20230601_123456789',
    '\0\0\0\0',
  ])
    assert.equal(isMeaningfulCaption(junkText), false, JSON.stringify(junkText));
  for (const real of [
    'A dog',
    'Sony headquarters in Tokyo',
    'IMG_1234 was the best shot of the day',
  ])
    assert.equal(isMeaningfulCaption(real), true, real);
});

test('PNG XMP in zTXt (as libvips writes it) and WebP EXIF and XMP chunks are read', async () => {
  const xmp = buildXmp({ description: 'Sunset over the lake' });
  const png = await picture().png().withXmp(xmp).toBuffer();
  assert.equal((await readPhotoMetadata(png)).embeddedCaption?.text, 'Sunset over the lake');
  const webp = await picture()
    .webp()
    .withExif({ IFD0: { Make: 'Fujifilm' } })
    .withXmp(xmp)
    .toBuffer();
  const webpPath = join(dir, 'meta.webp');
  await writeFile(webpPath, webp);
  for (const input of [webp, webpPath]) {
    const meta = await readPhotoMetadata(input);
    assert.equal(meta.exif?.make, 'Fujifilm');
    assert.equal(meta.embeddedCaption?.text, 'Sunset over the lake');
  }
});

test('corrupt, truncated and non-image inputs give nulls, never an exception', async () => {
  const jpeg = await picture()
    .jpeg()
    .withExif({ IFD0: { Make: 'Canon', ImageDescription: 'A caption' } })
    .toBuffer();
  const exifAt = jpeg.indexOf('Exif\0\0');
  const scrambled = Buffer.from(jpeg);
  for (let i = exifAt + 6; i < exifAt + 60; i++) scrambled[i] = (i * 37) & 0xff;
  const brokenPngExif = Buffer.concat([
    encodePng(new Uint8Array(4 * 4 * 3), 4, 4).subarray(0, 33),
    Buffer.from([0, 0, 0, 8]),
    Buffer.from('eXIfMM\0*\xff\xff\xff\xff', 'latin1'),
    Buffer.from([0, 0, 0, 0]),
  ]);
  const cases: [string, Uint8Array][] = [
    ['scrambled EXIF', scrambled],
    ['cut inside the EXIF block', jpeg.subarray(0, exifAt + 20)],
    ['only the JPEG signature', jpeg.subarray(0, 3)],
    ['a PNG whose eXIf chunk is garbage and then nothing', brokenPngExif],
    ['random bytes', Buffer.from('definitely not an image, just some text')],
    ['empty', new Uint8Array(0)],
  ];
  for (const [what, bytes] of cases) {
    const meta = await readPhotoMetadata(bytes);
    assert.equal(meta.embeddedCaption, null, what);
    const path = join(dir, 'corrupt.bin');
    await writeFile(path, bytes);
    assert.deepEqual(await readPhotoMetadata(path), meta, `${what} (from a path)`);
  }
  await assert.rejects(readPhotoMetadata(join(dir, 'missing.jpg')), /does not exist/);
});

test('a FIFO named like a photo is not read (and does not block)', async () => {
  const fifo = join(dir, 'pipe.jpg');
  execFileSync('mkfifo', [fifo]);
  assert.deepEqual(await readPhotoMetadata(fifo), { exif: null, embeddedCaption: null });
});

/** Sparse files: gigabytes of "pixel data" that take no disk space. */
async function hugeSparseFiles(): Promise<Record<string, string>> {
  const caption = 'Found after a gigabyte of pixels';
  const xmp = Buffer.from(buildXmp({ description: caption }), 'utf8');
  const pixelBytes = 1024 ** 3;
  const png = join(dir, 'huge.png');
  {
    const small = encodePng(new Uint8Array(3), 1, 1);
    const ihdrEnd = 33;
    const idatHeader = Buffer.alloc(8);
    idatHeader.writeUInt32BE(pixelBytes, 0);
    idatHeader.write('IDAT', 4, 'latin1');
    const itxtData = Buffer.concat([Buffer.from('XML:com.adobe.xmp\0\0\0\0\0', 'latin1'), xmp]);
    const tail = encodePng(new Uint8Array(3), 1, 1, {
      itext: { 'XML:com.adobe.xmp': xmp.toString('utf8') },
    });
    const itxtStart = tail.indexOf('iTXt') - 4;
    const itxtChunk = tail.subarray(itxtStart, itxtStart + 12 + itxtData.length);
    const handle = await open(png, 'w');
    await handle.write(small.subarray(0, ihdrEnd), 0, ihdrEnd, 0);
    await handle.write(idatHeader, 0, 8, ihdrEnd);
    const after = ihdrEnd + 8 + pixelBytes + 4; // + the (wrong, unchecked) CRC
    await handle.write(itxtChunk, 0, itxtChunk.length, after);
    await handle.write(small.subarray(small.length - 12), 0, 12, after + itxtChunk.length);
    await handle.close();
  }
  const jpeg = join(dir, 'huge.jpg');
  {
    const small = Buffer.from(
      embedXmp(await picture().jpeg().toBuffer(), 'image/jpeg', xmp.toString('utf8')),
    );
    const handle = await open(jpeg, 'w');
    await handle.write(small, 0, small.length, 0);
    await handle.truncate(small.length + pixelBytes);
    await handle.close();
  }
  return { png, jpeg };
}

test(
  'a gigabyte-sized file is read without loading its pixel data',
  { timeout: 60_000 },
  async () => {
    const files = await hugeSparseFiles();
    // In a child process, so its peak memory is measured on this work alone.
    const script = join(dir, 'measure.mts');
    await writeFile(
      script,
      `import { readPhotoMetadata } from ${JSON.stringify(join(repoRoot, 'app/media/photo-metadata.ts'))};
const results = [];
for (const path of process.argv.slice(2)) results.push((await readPhotoMetadata(path)).embeddedCaption?.text ?? null);
console.log(JSON.stringify({ results, maxRssMiB: process.resourceUsage().maxRSS / 1024 }));`,
    );
    const out = execFileSync(
      process.execPath,
      ['--import', 'tsx', script, files.png!, files.jpeg!],
      {
        cwd: repoRoot,
        encoding: 'utf8',
      },
    );
    const { results, maxRssMiB } = JSON.parse(out.trim().split('\n').pop()!) as {
      results: (string | null)[];
      maxRssMiB: number;
    };
    assert.deepEqual(results, [
      'Found after a gigabyte of pixels',
      'Found after a gigabyte of pixels',
    ]);
    assert.ok(maxRssMiB < 400, `peak memory ${maxRssMiB.toFixed(0)} MiB: the pixel data was read`);
  },
);

test('a PNG whose 1 MB ICC profile inflates to 1 GiB costs little memory, from a path and from bytes', async () => {
  const png = encodePng(new Uint8Array(2 * 2 * 3), 2, 2, {
    text: { Description: 'Harbour at dawn' },
  });
  const icc = pngChunk(
    'iCCP',
    Buffer.concat([Buffer.from('icc\0\0', 'latin1'), await zlibZeros(1024)]),
  );
  const path = join(dir, 'icc-bomb.png');
  await writeFile(path, Buffer.concat([png.subarray(0, 33), icc, png.subarray(33)]));
  const { value, grewMiB, ms } = measureInChild<(string | null)[]>(
    `import { readFileSync } from 'node:fs';
     import { readPhotoMetadata } from './app/media/photo-metadata.ts';
     mark();
     const fromPath = await readPhotoMetadata(process.argv[1]);
     const fromBytes = await readPhotoMetadata(readFileSync(process.argv[1]));
     report([fromPath, fromBytes].map((m) => m.embeddedCaption?.text ?? null));`,
    path,
    repoRoot,
  );
  assert.deepEqual(value, ['Harbour at dawn', 'Harbour at dawn']);
  assert.ok(grewMiB < 64, `peak memory grew by ${grewMiB.toFixed(0)} MiB`);
  assert.ok(ms < 2000, `${ms.toFixed(0)} ms`);
});
