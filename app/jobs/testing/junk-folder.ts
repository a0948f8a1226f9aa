/**
 * Builds a folder full of the files that break photo tools, for tests: every image format
 * Tessera reads, colour and bit-depth oddities, a decompression bomb, empty, truncated and fake
 * images, FIFOs, sockets, broken and looping links, odd names, hidden and unreadable entries,
 * and photos that already carry a caption (embedded or in a sidecar, by a user or by Tessera).
 *
 * Returns a manifest of what it made and what a scan and a captioning run should make of each
 * entry, so tests assert on one list instead of repeating the cases.
 */
import { execFileSync } from 'node:child_process';
import { chmod, mkdir, open, rm, symlink, writeFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:net';
import { join } from 'node:path';
import { crc32, deflateSync } from 'node:zlib';
import sharp from 'sharp';
import { encodePng } from '../../media/png.ts';
import { buildXmp } from '../../media/xmp.ts';
import type { ScanProblemReason } from '../folder-scan.ts';

export type ScanExpectation =
  | { kind: 'image'; mime: string }
  | { kind: 'problem'; reason: ScanProblemReason }
  /** Not reported at all: hidden entries, sidecars, and a second path to something reported. */
  | { kind: 'silent' };

export interface JunkCase {
  /** Relative to the junk folder's root, '/'-separated, as the scanner reports it. */
  relPath: string;
  what: string;
  /** What a scan run by an ordinary user reports. */
  scan: ScanExpectation;
  /** What a scan run as root reports instead, where permissions make the difference. */
  scanAsRoot?: ScanExpectation;
  /** For images: whether the studio's decoder (toModelRgb) reads the pixels. */
  decodes?: boolean;
  /** For images: the caption already there that captioning must find and respect. */
  existingCaption?: {
    text: string;
    source: 'sidecar' | 'xmp' | 'exif' | 'iptc';
    writtenByTessera: boolean;
  };
  /** For images: metadata values readPhotoMetadata must find. */
  exif?: { orientation?: number; make?: string };
  /** A folder, or a link to one: a scan that is not recursive never looks at it. */
  isFolder?: boolean;
}

export interface JunkFolder {
  root: string;
  cases: JunkCase[];
  /** Closes the socket, restores permissions and removes the folder. */
  cleanup(): Promise<void>;
}

/** The expectation that applies to a scan run with or without root's privileges. */
export function expectedScan(c: JunkCase, asRoot: boolean): ScanExpectation {
  return asRoot && c.scanAsRoot ? c.scanAsRoot : c.scan;
}

/** A model id that Tessera "wrote" the Tessera-captioned cases with. */
export const JUNK_MODEL_ID = 'junk-test-model';

/** Deterministic noise, so pictures are not flat colour (and re-encoding would show). */
function noise(length: number, seed: number): Buffer {
  const out = Buffer.alloc(length);
  let s = seed >>> 0;
  for (let i = 0; i < length; i++) {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    out[i] = s >>> 24;
  }
  return out;
}

const picture = (seed: number, width = 24, height = 16) =>
  sharp(noise(width * height * 3, seed), { raw: { width, height, channels: 3 } });

function pngChunk(type: string, data: Buffer): Buffer {
  const out = Buffer.alloc(12 + data.length);
  out.writeUInt32BE(data.length, 0);
  out.write(type, 4, 'latin1');
  data.copy(out, 8);
  out.writeUInt32BE(crc32(out.subarray(4, 8 + data.length)), 8 + data.length);
  return out;
}

/**
 * A valid PNG header claiming 50000×50000 RGB pixels (7.5 GB decoded) with a tiny IDAT: a
 * decoder without a pixel limit would try to allocate it all.
 */
export function decompressionBombPng(width = 50_000, height = 50_000): Buffer {
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(width, 0);
  ihdr.writeUInt32BE(height, 4);
  ihdr[8] = 8; // bit depth
  ihdr[9] = 2; // RGB
  const firstRows = deflateSync(Buffer.alloc(4 * (width * 3 + 1)));
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    pngChunk('IHDR', ihdr),
    pngChunk('IDAT', firstRows),
    pngChunk('IEND', Buffer.alloc(0)),
  ]);
}

/** A JPEG with an IPTC Caption-Abstract (2:120) in a Photoshop APP13 segment, as Photoshop writes it. */
export function withIptcCaption(jpeg: Buffer, caption: string): Buffer {
  const dataset = (record: number, tag: number, value: Buffer) => {
    const head = Buffer.from([0x1c, record, tag, 0, 0]);
    head.writeUInt16BE(value.length, 3);
    return Buffer.concat([head, value]);
  };
  const iptc = Buffer.concat([
    dataset(1, 90, Buffer.from([0x1b, 0x25, 0x47])), // coded character set: UTF-8
    dataset(2, 120, Buffer.from(caption, 'utf8')),
  ]);
  const size = Buffer.alloc(4);
  size.writeUInt32BE(iptc.length, 0);
  const resource = Buffer.concat([
    Buffer.from('8BIM', 'latin1'),
    Buffer.from([0x04, 0x04, 0x00, 0x00]), // IPTC-NAA resource, empty padded name
    size,
    iptc,
    Buffer.alloc(iptc.length % 2),
  ]);
  const payload = Buffer.concat([Buffer.from('Photoshop 3.0\0', 'latin1'), resource]);
  const header = Buffer.from([0xff, 0xed, 0, 0]);
  header.writeUInt16BE(payload.length + 2, 2);
  return Buffer.concat([jpeg.subarray(0, 2), header, payload, jpeg.subarray(2)]);
}

/** A 2×2 24-bit BMP written by hand (sharp cannot encode BMP). */
function tinyBmp(): Buffer {
  const rowBytes = 8; // 2 pixels × 3 bytes, padded to 4
  const pixels = Buffer.alloc(rowBytes * 2, 0x80);
  const header = Buffer.alloc(54);
  header.write('BM', 0, 'latin1');
  header.writeUInt32LE(54 + pixels.length, 2);
  header.writeUInt32LE(54, 10);
  header.writeUInt32LE(40, 14);
  header.writeInt32LE(2, 18);
  header.writeInt32LE(2, 22);
  header.writeUInt16LE(1, 26);
  header.writeUInt16LE(24, 28);
  header.writeUInt32LE(pixels.length, 34);
  return Buffer.concat([header, pixels]);
}

const USER_XMP_CAPTION = 'Our dog Rex asleep on the porch, summer 2019';
const USER_EXIF_CAPTION = 'Harbour at dawn, from the old pier';
const USER_IPTC_CAPTION = 'Wedding of Ana & Luís — first dance';
const USER_SIDECAR_CAPTION = 'Grandma’s garden, written in digiKam';
const LIGHTROOM_CAPTION = 'Two dogs on the beach';
const TESSERA_SIDECAR_CAPTION = 'A red bicycle leaning against a blue wall';
const TESSERA_EMBEDDED_CAPTION = 'A bowl of oranges on a wooden table';

/**
 * Creates the junk folder at `dir` (made if missing; it should be empty) and returns its
 * manifest. Needs a file system with sparse files (huge.jpg claims 3 GiB) and `mkfifo`.
 */
export async function makeJunkFolder(dir: string): Promise<JunkFolder> {
  await mkdir(dir, { recursive: true });
  // Readable by everyone, so a test can also scan it as an unprivileged user.
  await chmod(dir, 0o755);
  try {
    return await fillJunkFolder(dir);
  } catch (err) {
    await rm(dir, { recursive: true, force: true });
    throw err;
  }
}

async function fillJunkFolder(dir: string): Promise<JunkFolder> {
  const cases: JunkCase[] = [];
  const at = (rel: string) => join(dir, ...rel.split('/'));
  const image = async (
    relPath: string,
    bytes: Buffer,
    mime: string,
    extra: Partial<JunkCase> = {},
  ) => {
    await writeFile(at(relPath), bytes);
    cases.push({
      relPath,
      what: extra.what ?? mime,
      scan: { kind: 'image', mime },
      decodes: true,
      ...extra,
    });
  };
  const problem = (relPath: string, reason: ScanProblemReason, what: string) =>
    cases.push({ relPath, what, scan: { kind: 'problem', reason } });
  const silent = (relPath: string, what: string) =>
    cases.push({ relPath, what, scan: { kind: 'silent' } });

  for (const folder of ['nested', 'nested/deeper', '.hidden-folder', 'locked'])
    await mkdir(at(folder));

  // Every format, and the pixel formats that trip decoders.
  const jpeg = await picture(1).jpeg().toBuffer();
  await image('photo.png', await picture(2).png().toBuffer(), 'image/png');
  await image('photo.jpg', jpeg, 'image/jpeg');
  await image('photo.webp', await picture(3).webp().toBuffer(), 'image/webp');
  await image('photo.gif', await picture(4).gif().toBuffer(), 'image/gif');
  await image('photo.tif', await picture(5).tiff().toBuffer(), 'image/tiff');
  await image('photo.avif', await picture(6).avif().toBuffer(), 'image/avif');
  await image('tiny.bmp', tinyBmp(), 'image/bmp', {
    what: 'a BMP: recognised, but the bundled libvips cannot decode it',
    decodes: false,
  });
  await image('cmyk.jpg', await picture(7).toColourspace('cmyk').jpeg().toBuffer(), 'image/jpeg', {
    what: 'a CMYK JPEG',
  });
  await image(
    'sixteen-bit.png',
    await picture(8).toColourspace('rgb16').png().toBuffer(),
    'image/png',
    {
      what: 'a 16-bit PNG',
    },
  );
  await image(
    'rotated.jpg',
    await picture(9, 32, 16).jpeg().withMetadata({ orientation: 6 }).toBuffer(),
    'image/jpeg',
    {
      what: 'a JPEG with EXIF orientation 6 (rotate 90° clockwise)',
      exif: { orientation: 6 },
    },
  );
  await image('bomb.png', decompressionBombPng(), 'image/png', {
    what: 'a decompression bomb: a PNG header claiming 50000×50000 pixels',
    decodes: false,
  });
  await image('really-a-png.txt', await picture(10).png().toBuffer(), 'image/png', {
    what: 'a PNG with a .txt extension',
  });
  const bigJpeg = await picture(11, 64, 64).jpeg({ quality: 95 }).toBuffer();
  await image(
    'truncated.jpg',
    bigJpeg.subarray(0, Math.floor(bigJpeg.length * 0.6)),
    'image/jpeg',
    {
      what: 'a JPEG cut off in the middle of its image data',
      decodes: false,
    },
  );

  // Not images, or not files.
  await writeFile(at('empty.jpg'), Buffer.alloc(0));
  problem('empty.jpg', 'empty', 'an empty file named like a photo');
  const random = noise(4096, 99);
  random[0] = 0x00; // random, but never by chance an image signature
  await writeFile(at('random.jpg'), random);
  problem('random.jpg', 'not-an-image', 'random bytes with a .jpg extension');
  await writeFile(at('notes.txt'), 'Shopping list: film, batteries.\n');
  problem('notes.txt', 'not-an-image', 'a text file');
  execFileSync('mkfifo', [at('pipe.jpg')]);
  problem('pipe.jpg', 'special-file', 'a FIFO named like a photo: opening it would block');
  const tooLarge = await open(at('huge.jpg'), 'w');
  await tooLarge.write(jpeg.subarray(0, 64), 0, 64, 0);
  await tooLarge.truncate(3 * 1024 ** 3); // sparse: takes no disk space
  await tooLarge.close();
  problem('huge.jpg', 'too-large', 'a 3 GiB (sparse) file that starts like a JPEG');

  // Links.
  await symlink('does-not-exist.png', at('dangling.png'));
  problem('dangling.png', 'dangling-link', 'a symlink to a file that does not exist');
  await symlink('self-loop.png', at('self-loop.png'));
  problem('self-loop.png', 'link-loop', 'a symlink to itself');
  await symlink('..', at('nested/back-to-top'));
  cases.push({
    relPath: 'nested/back-to-top',
    what: 'a symlink to the folder that contains it',
    scan: { kind: 'problem', reason: 'link-loop' },
    isFolder: true,
  });
  await symlink('../photo.png', at('nested/link-to-photo.png'));
  silent('nested/link-to-photo.png', 'a symlink to photo.png, which is reported once already');
  await symlink('nested/deeper', at('zz-link-to-deeper'));
  cases.push({
    relPath: 'zz-link-to-deeper',
    what: 'a symlink to a folder that was already scanned',
    scan: { kind: 'silent' },
    isFolder: true,
  });
  await symlink(at('photo.jpg'), at('nested/absolute-link.jpg'));
  silent('nested/absolute-link.jpg', 'an absolute symlink to photo.jpg, reported once already');

  // Names.
  const png = await picture(12).png().toBuffer();
  for (const name of [
    'with space.png',
    'café ☕.png',
    'new\nline.png',
    '-leading-dash.png',
    '日本語の写真.png',
  ])
    await image(name, png, 'image/png', { what: `an odd name: ${JSON.stringify(name)}` });
  await image('nested/deeper/leaf.jpg', await picture(13).jpeg().toBuffer(), 'image/jpeg', {
    what: 'a photo two folders down',
  });
  await writeFile(at('.hidden.png'), png);
  silent('.hidden.png', 'a hidden file');
  await writeFile(at('.hidden-folder/inside.png'), png);
  silent('.hidden-folder/inside.png', 'a photo inside a hidden folder');
  cases.push({
    relPath: '.hidden-folder',
    what: 'a hidden folder, named as skipped so its photos are not missed unawares',
    scan: { kind: 'problem', reason: 'hidden-folder' },
    isFolder: true,
  });

  // Permissions: only an unprivileged scan sees these as problems.
  await writeFile(at('locked/inside.png'), png);
  cases.push({
    relPath: 'locked',
    what: 'a folder nobody may list (mode 000)',
    scan: { kind: 'problem', reason: 'unreadable-folder' },
    scanAsRoot: { kind: 'silent' },
    isFolder: true,
  });
  cases.push({
    relPath: 'locked/inside.png',
    what: 'a photo inside the unreadable folder',
    scan: { kind: 'silent' },
    scanAsRoot: { kind: 'image', mime: 'image/png' },
    decodes: true,
  });
  await writeFile(at('unreadable.png'), png);
  cases.push({
    relPath: 'unreadable.png',
    what: 'a photo nobody may read (mode 000)',
    scan: { kind: 'problem', reason: 'unreadable' },
    scanAsRoot: { kind: 'image', mime: 'image/png' },
    decodes: true,
  });

  // Captions that are already there.
  const userXmp = buildXmp({ description: USER_XMP_CAPTION, creatorTool: 'Adobe Lightroom' });
  await image(
    'xmp-caption.jpg',
    await picture(14).jpeg().withXmp(userXmp).toBuffer(),
    'image/jpeg',
    {
      what: 'a JPEG with a user caption in embedded XMP',
      existingCaption: { text: USER_XMP_CAPTION, source: 'xmp', writtenByTessera: false },
    },
  );
  await image(
    'exif-caption.jpg',
    await picture(15)
      .jpeg()
      .withExif({ IFD0: { ImageDescription: USER_EXIF_CAPTION, Make: 'Nikon' } })
      .toBuffer(),
    'image/jpeg',
    {
      what: 'a JPEG with a user caption in EXIF ImageDescription',
      existingCaption: { text: USER_EXIF_CAPTION, source: 'exif', writtenByTessera: false },
      exif: { make: 'Nikon' },
    },
  );
  await image(
    'iptc-caption.jpg',
    withIptcCaption(await picture(16).jpeg().toBuffer(), USER_IPTC_CAPTION),
    'image/jpeg',
    {
      what: 'a JPEG with an IPTC Caption-Abstract',
      existingCaption: { text: USER_IPTC_CAPTION, source: 'iptc', writtenByTessera: false },
    },
  );
  await image(
    'camera-junk.jpg',
    await picture(17)
      .jpeg()
      .withExif({ IFD0: { ImageDescription: 'OLYMPUS DIGITAL CAMERA', Make: 'OLYMPUS' } })
      .toBuffer(),
    'image/jpeg',
    { what: 'a JPEG whose only description is the camera’s default: uncaptioned' },
  );
  const tesseraXmp = buildXmp({
    description: TESSERA_EMBEDDED_CAPTION,
    tesseraModel: JUNK_MODEL_ID,
  });
  await image(
    'tessera-embedded.png',
    encodePng(noise(8 * 8 * 3, 18), 8, 8, { itext: { 'XML:com.adobe.xmp': tesseraXmp } }),
    'image/png',
    {
      what: 'a PNG with a caption Tessera embedded earlier',
      existingCaption: { text: TESSERA_EMBEDDED_CAPTION, source: 'xmp', writtenByTessera: true },
    },
  );
  await image('user-sidecar.jpg', await picture(19).jpeg().toBuffer(), 'image/jpeg', {
    what: 'a JPEG with a user caption in its sidecar',
    existingCaption: { text: USER_SIDECAR_CAPTION, source: 'sidecar', writtenByTessera: false },
  });
  await writeFile(at('user-sidecar.jpg.xmp'), buildXmp({ description: USER_SIDECAR_CAPTION }));
  silent('user-sidecar.jpg.xmp', 'a sidecar');
  await image('tessera-sidecar.jpg', await picture(20).jpeg().toBuffer(), 'image/jpeg', {
    what: 'a JPEG with a sidecar Tessera wrote earlier',
    existingCaption: { text: TESSERA_SIDECAR_CAPTION, source: 'sidecar', writtenByTessera: true },
  });
  await writeFile(
    at('tessera-sidecar.jpg.xmp'),
    buildXmp({ description: TESSERA_SIDECAR_CAPTION, tesseraModel: JUNK_MODEL_ID }),
  );
  silent('tessera-sidecar.jpg.xmp', 'a sidecar');
  await image('lightroom.jpg', await picture(21).jpeg().toBuffer(), 'image/jpeg', {
    what: 'a JPEG with a Lightroom-style sidecar (lightroom.xmp) holding a user caption',
    existingCaption: { text: LIGHTROOM_CAPTION, source: 'sidecar', writtenByTessera: false },
  });
  await writeFile(at('lightroom.XMP'), buildXmp({ description: LIGHTROOM_CAPTION }));
  silent('lightroom.XMP', 'a sidecar with an upper-case extension');

  // The socket comes last of the files: once it listens, a failure would leave it open.
  if (at('socket.png').length > 100)
    throw new Error(`${dir} is too long a path for a unix socket: use a shorter temporary folder`);
  const server: Server = createServer();
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(at('socket.png'), () => resolve());
  });
  problem('socket.png', 'special-file', 'a unix socket named like a photo');

  // Last, so everything above could still be written.
  await chmod(at('unreadable.png'), 0o000);
  await chmod(at('locked'), 0o000);

  let cleaned = false;
  return {
    root: dir,
    cases,
    async cleanup() {
      if (cleaned) return;
      cleaned = true;
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await chmod(at('locked'), 0o755).catch(() => {});
      await rm(dir, { recursive: true, force: true });
    },
  };
}
