import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { gunzipSync } from 'node:zlib';
import sharp from 'sharp';
import { EntropyBitWriter } from './bit-writer.ts';
import {
  JpegFormatError,
  UnsupportedJpegError,
  assembleJpeg,
  createJpegCodec,
  decodeJpegBody,
  encodeJpegBody,
  parseJpegHeader,
  parseJpegTables,
  splitMcuSegments,
  type DecodedJpegBody,
  type JpegCodec,
} from './index.ts';
import { walkMarkerSegments } from './markers.ts';

const FIXTURES = join(import.meta.dirname, 'fixtures');
const read = (name: string) => new Uint8Array(readFileSync(join(FIXTURES, name)));

const tablesBin = read('tables.bin');
const headers = { 64: read('header-64.bin'), 32: read('header-32.bin') };
const codecs = {
  64: createJpegCodec(tablesBin, headers[64]),
  32: createJpegCodec(tablesBin, headers[32]),
};

/** Pillow's decode of the fixtures matches ours this closely (max abs difference per channel). */
const DECODE_TOLERANCE = 0;

const NAMES = [
  'flat-64',
  'gradient-64',
  'emoji-64',
  'noise-64',
  'photo-64',
  'gradient-32',
  'photo-32',
] as const;

interface Fixture {
  name: string;
  codec: JpegCodec;
  /** Source image, RGB. */
  rgb: Uint8Array;
  /** Pillow's body: entropy data after SOS, restart markers, EOI. */
  body: Uint8Array;
  /** Pillow's decode of the assembled file, RGB. */
  decoded: Uint8Array;
}

const fixtures: Fixture[] = NAMES.map((name) => ({
  name,
  codec: codecs[name.endsWith('-64') ? 64 : 32],
  rgb: read(`${name}.rgb`),
  body: read(`${name}.body`),
  decoded: read(`${name}.decoded.rgb`),
}));

/** A wild body (fixtures/wild.json, made by make-fixtures.py) and Pillow's decode of it. */
interface WildFixture {
  name: string;
  codec: JpegCodec;
  /** 'valid': random but well-formed codes; 'damaged': with known damage; 'random': bytes. */
  kind: 'valid' | 'damaged' | 'random';
  note: string;
  /** What libjpeg-turbo makes of the damage, where the body is not random. */
  expectCorrupt: number[] | null;
  expectDecoded: number | null;
  body: Uint8Array;
  decoded: Uint8Array;
}

const wildFixtures: WildFixture[] = (() => {
  const meta = JSON.parse(readFileSync(join(FIXTURES, 'wild.json'), 'utf8')) as {
    decoded: string;
    cases: (Omit<WildFixture, 'codec' | 'body' | 'decoded'> & { size: 32 | 64; body: string })[];
  };
  const pixels = new Uint8Array(gunzipSync(readFileSync(join(FIXTURES, meta.decoded))));
  let at = 0;
  const cases = meta.cases.map(({ size, body, ...rest }) => {
    const decoded = pixels.subarray(at, at + size * size * 3);
    at += decoded.length;
    return {
      ...rest,
      codec: codecs[size],
      body: new Uint8Array(Buffer.from(body, 'base64')),
      decoded,
    };
  });
  assert.equal(at, pixels.length, 'wild-decoded.rgb.gz holds one decode per case');
  return cases;
})();

function firstDifference(a: Uint8Array, b: Uint8Array): number {
  for (let i = 0; i < Math.max(a.length, b.length); i++) if (a[i] !== b[i]) return i;
  return -1;
}

function maxAbsDifference(a: Uint8Array, b: Uint8Array): number {
  assert.equal(a.length, b.length);
  let max = 0;
  for (let i = 0; i < a.length; i++) max = Math.max(max, Math.abs(a[i]! - b[i]!));
  return max;
}

function meanAbsDifference(a: Uint8Array, b: Uint8Array): number {
  let sum = 0;
  for (let i = 0; i < a.length; i++) sum += Math.abs(a[i]! - b[i]!);
  return sum / a.length;
}

function concat(...parts: ArrayLike<number>[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const part of parts) {
    out.set(part, at);
    at += part.length;
  }
  return out;
}

/** Deterministic pseudo-random numbers in [0, 1) (mulberry32). */
function randomSource(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Largest difference over the 16×16 pixels of one MCU, inset by `inset` pixels per side. */
function mcuDifference(
  a: Uint8Array,
  b: Uint8Array,
  codec: JpegCodec,
  mcu: number,
  inset = 0,
): number {
  const x0 = (mcu % codec.mcuColumns) * 16;
  const y0 = Math.floor(mcu / codec.mcuColumns) * 16;
  let max = 0;
  for (let y = y0 + inset; y < y0 + 16 - inset; y++)
    for (let x = x0 + inset; x < x0 + 16 - inset; x++)
      for (let c = 0; c < 3; c++) {
        const i = (y * codec.width + x) * 3 + c;
        max = Math.max(max, Math.abs(a[i]! - b[i]!));
      }
  return max;
}

/**
 * MCUs with decoded data: MCUs neither decoded nor corrupt are the trailing ones whose data
 * has not arrived or comes after EOI, so these are the first mcusDecoded + corrupt ones,
 * less the corrupt ones.
 */
function decodedMcus(out: DecodedJpegBody): number[] {
  const corrupt = new Set(out.corruptMcus);
  const seen = out.mcusDecoded + out.corruptMcus.length;
  return Array.from({ length: seen }, (_, mcu) => mcu).filter((mcu) => !corrupt.has(mcu));
}

function mcuIsGrey(out: DecodedJpegBody, codec: JpegCodec, mcu: number): boolean {
  const x0 = (mcu % codec.mcuColumns) * 16;
  const y0 = Math.floor(mcu / codec.mcuColumns) * 16;
  for (let y = y0; y < y0 + 16; y++)
    for (let x = x0; x < x0 + 16; x++)
      for (let c = 0; c < 3; c++) if (out.rgb[(y * codec.width + x) * 3 + c] !== 128) return false;
  return true;
}

/** What every decode result must satisfy, whatever the body. */
function checkDecodeResult(out: DecodedJpegBody, codec: JpegCodec, label: string): void {
  assert.equal(out.rgb.length, codec.width * codec.height * 3, label);
  assert.ok(out.mcusDecoded >= 0 && out.mcusDecoded <= codec.mcuCount, label);
  assert.ok(out.mcusDecoded + out.corruptMcus.length <= codec.mcuCount, label);
  out.corruptMcus.forEach((mcu, i) => {
    assert.ok(Number.isInteger(mcu) && mcu >= 0 && mcu < codec.mcuCount, label);
    // Missing MCUs (no data yet, or after EOI) come last.
    assert.ok(mcu < out.mcusDecoded + out.corruptMcus.length, `${label}: corrupt after missing`);
    if (i > 0) assert.ok(mcu > out.corruptMcus[i - 1]!, `${label}: corrupt MCUs ascending`);
    assert.ok(mcuIsGrey(out, codec, mcu), `${label}: corrupt MCU ${mcu} is grey`);
  });
}

/** The header part (SOI through SOS) of a complete JPEG file. */
function headerOf(file: Uint8Array): Uint8Array {
  return file.subarray(0, walkMarkerSegments(file, 'test file').end);
}

/** Offset of the segment `code` (e.g. 0xc0) in a header, and its payload offset. */
function segmentOffset(header: Uint8Array, code: number): number {
  const segment = walkMarkerSegments(header, 'test header').segments.find((s) => s.code === code);
  assert.ok(segment, `segment ${code.toString(16)} present`);
  return segment.offset;
}

function patched(bytes: Uint8Array, at: number, ...values: number[]): Uint8Array {
  const copy = bytes.slice();
  copy.set(values, at);
  return copy;
}

// ---------------------------------------------------------------------------------------------
// Parsing

test('the tables stream holds two 8-bit quantization tables and the four standard Huffman tables', () => {
  const tables = parseJpegTables(tablesBin);
  const [luma, chroma, unused2, unused3] = tables.quantization;
  assert.ok(luma && chroma);
  assert.equal(unused2, null);
  assert.equal(unused3, null);
  // Quality 25 scales the Annex K tables by 2: 16 → 32 for luma DC, 17 → 34 for chroma DC;
  // natural order puts luma's zigzag entries 1 and 2 (11, 12 → 22, 24) at (0,1) and (1,0).
  assert.deepEqual([luma[0], luma[1], luma[8]], [32, 22, 24]);
  assert.equal(chroma[0], 34);
  assert.equal(chroma[63], 198);
  const dc0 = tables.dcHuffman[0];
  const ac0 = tables.acHuffman[0];
  assert.ok(dc0 && ac0 && tables.dcHuffman[1] && tables.acHuffman[1]);
  assert.deepEqual(dc0.counts, [0, 1, 5, 1, 1, 1, 1, 1, 1, 0, 0, 0, 0, 0, 0, 0]);
  assert.deepEqual(Array.from(dc0.symbols), [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11]);
  assert.equal(ac0.symbols.length, 162);
  // The DQT and DHT segments are everything between SOI and EOI.
  assert.deepEqual(tables.segmentBytes, tablesBin.subarray(2, tablesBin.length - 2));
});

test('the per-size header gives the frame, the restart interval and the scan selectors', () => {
  for (const size of [64, 32] as const) {
    const header = parseJpegHeader(headers[size]);
    assert.equal(header.width, size);
    assert.equal(header.height, size);
    assert.deepEqual(header.components, [
      { id: 1, horizontalSampling: 2, verticalSampling: 2, quantizationSlot: 0 },
      { id: 2, horizontalSampling: 1, verticalSampling: 1, quantizationSlot: 1 },
      { id: 3, horizontalSampling: 1, verticalSampling: 1, quantizationSlot: 1 },
    ]);
    assert.equal(header.restartInterval, 1);
    assert.deepEqual(header.scan, [
      { id: 1, dcTableSlot: 0, acTableSlot: 0 },
      { id: 2, dcTableSlot: 1, acTableSlot: 1 },
      { id: 3, dcTableSlot: 1, acTableSlot: 1 },
    ]);
    assert.ok(
      header.tables.quantization.every((t) => t === null),
      'abbreviated: no tables',
    );
    const codec = codecs[size];
    assert.equal(codec.mcuCount, (size / 16) ** 2);
    assert.equal(codec.components[1].quantization, codec.components[2].quantization);
  }
});

test('unsupported coding processes are refused with errors that name them', async () => {
  const sof = segmentOffset(headers[64], 0xc0);
  const sos = segmentOffset(headers[64], 0xda);
  const refuse = (header: Uint8Array, message: RegExp) =>
    assert.throws(
      () => createJpegCodec(tablesBin, header),
      (error: unknown) => {
        assert.ok(error instanceof UnsupportedJpegError, String(error));
        assert.match(error.message, message);
        return true;
      },
    );
  refuse(patched(headers[64], sof + 1, 0xc2), /progressive \(SOF2\).*only baseline/);
  refuse(patched(headers[64], sof + 1, 0xc9), /arithmetic-coded \(SOF9\)/);
  refuse(patched(headers[64], sof + 4, 12), /12-bit samples; only 8-bit/);
  // Spectral selection 0..5 is a progressive scan.
  refuse(patched(headers[64], sos + 2 + 2 + 1 + 6 + 1, 5), /coefficients 0\.\.5.*baseline scan/);
  // Cb sampled 2x2 as well: not 4:2:0.
  refuse(patched(headers[64], sof + 4 + 6 + 3 + 1, 0x22), /2x2, 2x2, 1x1; only Y, Cb, Cr at 4:2:0/);
  // Height 48 + 2: a partial MCU row.
  refuse(patched(headers[64], sof + 5, 0, 50), /64×50; only sides that are multiples of 16/);
  // A tables stream with a 16-bit DQT or with arithmetic conditioning.
  const dqt16 = patched(tablesBin, segmentOffset(tablesBin, 0xdb) + 4, 0x10);
  assert.throws(() => parseJpegTables(dqt16), /16-bit entries; only 8-bit quantization tables/);
  const dac = concat([0xff, 0xd8, 0xff, 0xcc, 0, 4, 0x00, 0x10], [0xff, 0xd9]);
  assert.throws(() => parseJpegTables(dac), /arithmetic-coded JPEG is not supported/);

  // Real files from another encoder: progressive, 4:4:4, grayscale.
  const swatch = () =>
    sharp({ create: { width: 32, height: 32, channels: 3, background: '#3a7' } });
  const progressive = await swatch().jpeg({ progressive: true }).toBuffer();
  assert.throws(() => parseJpegHeader(headerOf(progressive)), /progressive \(SOF2\)/);
  const full = await swatch().jpeg({ chromaSubsampling: '4:4:4' }).toBuffer();
  refuse(headerOf(full), /sampled 1x1, 1x1, 1x1/);
  const grey = await swatch().toColourspace('b-w').jpeg().toBuffer();
  refuse(headerOf(grey), /has 1 components/);
});

test('a header from another encoder, with its own tables, makes a working codec', async () => {
  const rgb = fixtures.find((f) => f.name === 'photo-32')!.rgb;
  const file = await sharp(rgb, { raw: { width: 32, height: 32, channels: 3 } })
    .jpeg({ quality: 80, chromaSubsampling: '4:2:0' })
    .toBuffer();
  const header = headerOf(file);
  const codec = createJpegCodec(tablesBin, header);
  // sharp writes no restart markers: the whole body is one interval.
  assert.equal(codec.restartInterval, 0);
  const body = new Uint8Array(file.subarray(header.length));
  const out = decodeJpegBody(body, codec);
  assert.equal(out.mcusDecoded, 4);
  const { data } = await sharp(file).raw().toBuffer({ resolveWithObject: true });
  assert.ok(maxAbsDifference(out.rgb, new Uint8Array(data)) <= DECODE_TOLERANCE);
});

test('malformed headers and tables fail with JpegFormatError saying what is wrong', () => {
  const fails = (run: () => unknown, message: RegExp) =>
    assert.throws(run, (error: unknown) => {
      assert.ok(error instanceof JpegFormatError, String(error));
      assert.ok(!(error instanceof UnsupportedJpegError), 'malformed, not unsupported');
      assert.match(error.message, message);
      return true;
    });
  fails(() => parseJpegHeader(headers[64].subarray(2)), /does not start with the SOI marker/);
  fails(() => parseJpegHeader(headers[64].subarray(0, 30)), /declares \d+ bytes but \d+ remain/);
  fails(() => parseJpegHeader(concat(headers[64], [0, 1])), /continues 2 bytes past its SOS/);
  fails(() => parseJpegHeader(tablesBin), /reaches EOI without an SOS segment/);
  fails(() => parseJpegTables(headers[64]), /has a SOF0 segment; it should hold tables only/);
  // Luma DC counts 3, 0, 3 instead of 0, 1, 5 (same total): three 1-bit codes cannot exist.
  const dht = segmentOffset(tablesBin, 0xc4);
  fails(
    () => parseJpegTables(patched(tablesBin, dht + 5, 3, 0, 3)),
    /DC 0 has more codes of length 1 than fit/,
  );
  const sos = segmentOffset(headers[64], 0xda);
  // Cr's AC selector pointing at slot 3, which no stream defines.
  fails(() => createJpegCodec(tablesBin, patched(headers[64], sos + 10, 0x13)), /No AC table 3/);
});

// ---------------------------------------------------------------------------------------------
// Assembling and splitting

test('assembled files put the tables after SOI and decode in sharp exactly as Pillow decoded them', async () => {
  for (const f of fixtures) {
    const file = assembleJpeg(f.codec, f.body);
    const header = f.codec.headerBytes;
    const tables = f.codec.tableSegments;
    assert.deepEqual(file, concat(header.subarray(0, 2), tables, header.subarray(2), f.body));
    const { data, info } = await sharp(file).raw().toBuffer({ resolveWithObject: true });
    assert.equal(info.width, f.codec.width);
    assert.equal(maxAbsDifference(new Uint8Array(data), f.decoded), 0, f.name);
  }
  const codec = codecs[32];
  const unterminated = fixtures.find((f) => f.name === 'photo-32')!.body.slice(0, -2);
  const file = assembleJpeg(codec, unterminated);
  assert.deepEqual(file.subarray(-4), concat(unterminated.subarray(-2), [0xff, 0xd9]));
});

test('a body splits into one segment per MCU, numbered RST0..7 in turn, and joins back', () => {
  for (const f of fixtures) {
    const segments = splitMcuSegments(f.body);
    assert.equal(segments.length, f.codec.mcuCount, f.name);
    segments.forEach((segment, i) => {
      if (i < segments.length - 1) {
        assert.equal(segment.end, 'restart');
        assert.equal(segment.end === 'restart' && segment.restartNumber, i % 8);
      } else assert.equal(segment.end, 'end-of-image');
    });
    // Segment bytes plus the two-byte marker after each give back the body exactly.
    const joined = concat(
      ...segments.flatMap((s) => [
        s.bytes,
        s.end === 'restart' ? [0xff, 0xd0 + s.restartNumber] : [0xff, 0xd9],
      ]),
    );
    assert.deepEqual(joined, f.body, f.name);
    segments.forEach((s) =>
      assert.deepEqual(s.bytes, f.body.subarray(s.offset, s.offset + s.bytes.length)),
    );
  }
  // noise-64 has stuffed FF 00 pairs: they stay inside segments.
  const noise = fixtures.find((f) => f.name === 'noise-64')!;
  const stuffed = splitMcuSegments(noise.body).filter((s) =>
    s.bytes.some((b, i) => b === 0xff && s.bytes[i + 1] === 0x00),
  );
  assert.ok(stuffed.length > 0, 'some segment holds a stuffed FF 00');
});

test('splitting handles fill bytes, foreign markers, a trailing FF, and data after EOI', () => {
  const segments = splitMcuSegments(
    Uint8Array.from([1, 0xff, 0x00, 2, 0xff, 0xff, 0xd0, 3, 0xff, 0xc4, 4, 0xff, 0xd1, 5, 0xff]),
  );
  assert.deepEqual(
    segments.map((s) => [s.offset, Array.from(s.bytes), s.end]),
    [
      [0, [1, 0xff, 0x00, 2], 'restart'],
      [7, [3, 0xff, 0xc4, 4], 'restart'],
      [13, [5, 0xff], 'truncated'],
    ],
  );
  const eoi = splitMcuSegments(Uint8Array.from([7, 0xff, 0xd9, 0xff, 0xd0, 8]));
  assert.deepEqual(
    eoi.map((s) => [Array.from(s.bytes), s.end]),
    [[[7], 'end-of-image']],
  );
  assert.deepEqual(
    splitMcuSegments(new Uint8Array(0)).map((s) => s.end),
    ['truncated'],
  );
});

// ---------------------------------------------------------------------------------------------
// Encoding

test('the encoder writes exactly Pillow’s bytes for every fixture', () => {
  for (const f of fixtures) {
    const body = encodeJpegBody(f.rgb, f.codec);
    assert.equal(firstDifference(body, f.body), -1, `${f.name}: first differing byte`);
  }
});

test('the encoder refuses RGB data of the wrong size', () => {
  assert.throws(() => encodeJpegBody(new Uint8Array(64 * 64 * 3 - 1), codecs[64]), {
    name: 'RangeError',
    message: /12287 bytes; a 64×64 image needs 12288/,
  });
});

// ---------------------------------------------------------------------------------------------
// Decoding

test(`the decoder matches Pillow’s decode within ${DECODE_TOLERANCE} per channel`, () => {
  for (const f of fixtures) {
    const out = decodeJpegBody(f.body, f.codec);
    assert.equal(out.mcusDecoded, f.codec.mcuCount, f.name);
    assert.deepEqual(out.corruptMcus, [], f.name);
    assert.ok(maxAbsDifference(out.rgb, f.decoded) <= DECODE_TOLERANCE, f.name);
  }
});

test('every prefix of a body decodes without throwing, and decoded MCUs never drop', () => {
  for (const f of fixtures) {
    const segments = splitMcuSegments(f.body);
    /** Body length right after the marker that ends MCU i. */
    const afterMarker = new Map(segments.slice(1).map((s, i) => [s.offset, i + 1]));
    let previous = 0;
    for (let length = 0; length <= f.body.length; length++) {
      const label = `${f.name}[0..${length})`;
      const out = decodeJpegBody(f.body.subarray(0, length), f.codec);
      checkDecodeResult(out, f.codec, label);
      assert.deepEqual(out.corruptMcus, [], label);
      assert.ok(out.mcusDecoded >= previous, `${label}: ${out.mcusDecoded} < ${previous}`);
      previous = out.mcusDecoded;
      const complete = afterMarker.get(length);
      if (complete !== undefined) {
        assert.equal(out.mcusDecoded, complete, label);
        for (let mcu = complete; mcu < f.codec.mcuCount; mcu++)
          assert.ok(mcuIsGrey(out, f.codec, mcu), `${label}: MCU ${mcu} still grey`);
      }
    }
    assert.equal(previous, f.codec.mcuCount);
  }
});

test('random garbage never throws', () => {
  const random = randomSource(1);
  const specials = [0xff, 0x00, 0xd0, 0xd3, 0xd7, 0xd9, 0xc4];
  for (let round = 0; round < 400; round++) {
    const length = Math.floor(random() * 700);
    const bytes = new Uint8Array(length);
    for (let i = 0; i < length; i++)
      bytes[i] =
        random() < 0.2 ? specials[Math.floor(random() * specials.length)]! : random() * 256;
    for (const codec of [codecs[64], codecs[32]])
      checkDecodeResult(decodeJpegBody(bytes, codec), codec, `garbage round ${round}`);
  }
});

/**
 * The first marker in `body` that libjpeg never passes (EOI, or FF C0..CF, D8, DA..FE amid
 * the data) other than a final EOI: the number of restart markers before it, or null if none.
 */
function restartsBeforeImpassableMarker(body: Uint8Array): number | null {
  let restarts = 0;
  for (let at = 0; at + 1 < body.length; at++) {
    if (body[at] !== 0xff) continue;
    let code = at + 1;
    while (code < body.length && body[code] === 0xff) code++;
    const value = body[code];
    if (value === undefined || value === 0x00 || value < 0xc0) {
      at = code;
      continue;
    }
    if (value >= 0xd0 && value <= 0xd7) restarts++;
    else if (value !== 0xd9 || code !== body.length - 1) return restarts;
    at = code;
  }
  return null;
}

test('random byte flips never throw, and damage stays near the flipped byte', () => {
  const random = randomSource(2);
  let impassable = 0;
  for (const f of fixtures) {
    for (let round = 0; round < 150; round++) {
      const body = f.body.slice();
      const at = Math.floor(random() * body.length);
      body[at] = body[at]! ^ (1 + Math.floor(random() * 255));
      const label = `${f.name} byte ${at} flipped`;
      const out = decodeJpegBody(body, f.codec);
      checkDecodeResult(out, f.codec, label);
      const restarts = restartsBeforeImpassableMarker(body);
      if (restarts === null) {
        // One segment garbled, plus at most two restart intervals lost to a damaged marker.
        assert.ok(out.mcusDecoded >= f.codec.mcuCount - 3, `${label}: ${out.mcusDecoded} decoded`);
        continue;
      }
      // A flip that makes a marker libjpeg cannot pass (RST4 → FF F0, say) ends the scan
      // there, in libjpeg as here: no MCU after the one it ends decodes.
      impassable++;
      const decoded = decodedMcus(out);
      assert.ok(
        decoded.every((mcu) => mcu <= restarts),
        label,
      );
      assert.ok(decoded.length >= restarts - 2, `${label}: ${decoded.length} decoded`);
    }
  }
  // Measured: 11 of the 1050 flips.
  assert.ok(impassable > 0 && impassable < 100, `${impassable} flips made an impassable marker`);
});

test('an MCU with invalid Huffman data is grey and reported, and its neighbours decode', () => {
  const f = fixtures.find((x) => x.name === 'photo-64')!;
  const segments = splitMcuSegments(f.body);
  const full = decodeJpegBody(f.body, f.codec);
  const withSegment = (index: number, bytes: ArrayLike<number>) =>
    concat(
      f.body.subarray(0, segments[index]!.offset),
      bytes,
      f.body.subarray(segments[index]!.offset + segments[index]!.bytes.length),
    );
  // Sixteen 1-bits: no luminance DC code is that long.
  const badCode = withSegment(5, [0xff, 0x00, 0xff, 0x00]);
  // DC category 0, then four runs of sixteen zeros: the fourth passes coefficient 63, which
  // libjpeg lets through (it ends the block), but the MCU's data then stops after one block:
  // the other five are decoded from zero bits.
  const writer = new EntropyBitWriter();
  writer.writeBits(0b00, 2);
  for (let i = 0; i < 4; i++) writer.writeBits(0b11111111001, 11);
  writer.padToByte();
  const runPast63 = withSegment(9, writer.bytes());
  for (const [body, mcu] of [
    [badCode, 5],
    [runPast63, 9],
  ] as const) {
    const out = decodeJpegBody(body, f.codec);
    assert.deepEqual(out.corruptMcus, [mcu]);
    assert.equal(out.mcusDecoded, f.codec.mcuCount - 1);
    assert.ok(mcuIsGrey(out, f.codec, mcu));
    // An MCU two columns away shares no chroma neighbourhood with the damaged one: unchanged.
    const far = mcu % 4 < 2 ? mcu + 2 : mcu - 2;
    const x0 = (far % 4) * 16;
    const y0 = Math.floor(far / 4) * 16;
    for (let y = y0; y < y0 + 16; y++) {
      const from = (y * 64 + x0) * 3;
      assert.deepEqual(out.rgb.subarray(from, from + 48), full.rgb.subarray(from, from + 48));
    }
  }
});

test('damaged restart markers resynchronise as libjpeg does: decoded MCUs match sharp', async () => {
  const f = fixtures.find((x) => x.name === 'emoji-64')!;
  const segments = splitMcuSegments(f.body);
  /** Offset of the code byte of the marker that ends MCU i's segment. */
  const markerCode = (i: number) => segments[i + 1]!.offset - 1;
  const cases: [string, Uint8Array, number[]][] = [
    // RST3 dropped: MCU 4's data runs on inside MCU 3's segment and is lost.
    [
      'dropped marker',
      concat(f.body.subarray(0, markerCode(3) - 1), f.body.subarray(markerCode(3) + 1)),
      [4],
    ],
    // RST0 where RST7 belongs reads as "RST7 was lost": MCU 8 is lost, MCU 8's data lands on
    // MCU 9, the real RST0 after it is then stale, and MCU 10 onwards are back in place.
    ['marker one ahead', patched(f.body, markerCode(7), 0xd0), [8]],
    // RST1 where RST2 belongs is stale: the data after it (MCU 3's) is skipped.
    ['marker one behind', patched(f.body, markerCode(2), 0xd1), [3]],
    // RST6 where RST2 belongs is too far off to mean anything: taken as RST2.
    ['marker far off', patched(f.body, markerCode(2), 0xd6), []],
  ];
  for (const [label, body, corrupt] of cases) {
    const out = decodeJpegBody(body, f.codec);
    checkDecodeResult(out, f.codec, label);
    // The pending MCU of a skipped segment is missing rather than corrupt.
    const missing = f.codec.mcuCount - out.mcusDecoded - out.corruptMcus.length;
    assert.deepEqual(out.corruptMcus, corrupt, label);
    assert.ok(missing <= 1, `${label}: ${missing} MCUs missing`);
    const { data } = await sharp(assembleJpeg(f.codec, body), { failOn: 'none' })
      .raw()
      .toBuffer({ resolveWithObject: true });
    for (let mcu = 0; mcu < f.codec.mcuCount; mcu++) {
      if (mcuIsGrey(out, f.codec, mcu)) continue;
      const x0 = (mcu % 4) * 16;
      const y0 = Math.floor(mcu / 4) * 16;
      for (let y = y0; y < y0 + 16; y++) {
        const from = (y * 64 + x0) * 3;
        assert.deepEqual(
          out.rgb.subarray(from, from + 48),
          new Uint8Array(data.subarray(from, from + 48)),
          `${label}: MCU ${mcu} row ${y}`,
        );
      }
    }
  }
});

// ---------------------------------------------------------------------------------------------
// Wild bodies: what a model samples. Valid Huffman codes with absurd values (dequantized
// coefficients far beyond 16 bits), codes past coefficient 63, damage, random bytes.

test('wild bodies: every MCU reported as decoded equals Pillow’s pixels exactly', () => {
  const failures: string[] = [];
  let compared = 0;
  for (const w of wildFixtures) {
    const out = decodeJpegBody(w.body, w.codec);
    checkDecodeResult(out, w.codec, w.name);
    if (w.kind === 'valid' && out.mcusDecoded !== w.codec.mcuCount)
      failures.push(`${w.name}: valid codes, yet MCUs ${out.corruptMcus.join(', ')} corrupt`);
    for (const mcu of decodedMcus(out)) {
      compared++;
      const diff = mcuDifference(out.rgb, w.decoded, w.codec, mcu);
      if (diff > 0) failures.push(`${w.name} MCU ${mcu}: max difference ${diff}`);
    }
  }
  assert.deepEqual(failures, []);
  // Not vacuous: most of the 40 bodies' MCUs decode (measured: 223 of 304).
  assert.ok(compared >= 220, `${compared} MCUs compared`);
});

test('wild damaged bodies: corrupt and decoded MCUs are those libjpeg-turbo gives up on', () => {
  const damaged = wildFixtures.filter((w) => w.expectCorrupt !== null && w.kind === 'damaged');
  assert.ok(damaged.length >= 10);
  for (const w of damaged) {
    const out = decodeJpegBody(w.body, w.codec);
    const label = `${w.name} (${w.note})`;
    assert.deepEqual(out.corruptMcus, w.expectCorrupt, label);
    assert.equal(out.mcusDecoded, w.expectDecoded, label);
  }
});

test('wild bodies: MCUs libjpeg-turbo skips are flat grey in Pillow as in ours', () => {
  // After a marker libjpeg cannot pass (FF C4 here), every later MCU is left at zero
  // coefficients: Pillow paints them (128, 128, 128) too, but for their outermost pixels,
  // where chroma upsampling blends in the neighbours.
  let checked = 0;
  for (const w of wildFixtures) {
    const stuck = /stuck-marker at MCU (\d+)/.exec(w.note);
    if (!stuck) continue;
    const out = decodeJpegBody(w.body, w.codec);
    // The MCU holding the marker decodes up to it, then from zero bits: not grey in Pillow.
    for (const mcu of out.corruptMcus.filter((m) => m > Number(stuck[1]))) {
      assert.equal(mcuDifference(out.rgb, w.decoded, w.codec, mcu, 1), 0, `${w.name} MCU ${mcu}`);
      checked++;
    }
  }
  assert.ok(checked >= 3, `${checked} skipped MCUs checked`);
});

test('wild bodies: every prefix decodes without throwing; decoded and corrupt MCUs are final', () => {
  for (const w of wildFixtures.filter((x) => x.kind !== 'valid' && x.codec.width === 64)) {
    const full = decodeJpegBody(w.body, w.codec);
    const fullDecoded = new Set(decodedMcus(full));
    let previous = 0;
    for (let length = 0; length <= w.body.length; length += 3) {
      const label = `${w.name}[0..${length})`;
      const out = decodeJpegBody(w.body.subarray(0, length), w.codec);
      checkDecodeResult(out, w.codec, label);
      assert.ok(out.mcusDecoded >= previous, `${label}: ${out.mcusDecoded} < ${previous}`);
      previous = out.mcusDecoded;
      for (const mcu of out.corruptMcus) assert.ok(full.corruptMcus.includes(mcu), label);
      for (const mcu of decodedMcus(out)) assert.ok(fullDecoded.has(mcu), label);
    }
  }
});

test('a code past coefficient 63 lands on 63 as in libjpeg, and the MCU stays valid', () => {
  const codec = codecs[32];
  const { dcCodes, acCodes } = codec.components[0];
  const chroma = codec.components[1];
  const code = (w: EntropyBitWriter, codes: typeof dcCodes, symbol: number) =>
    w.writeBits(codes.code[symbol]!, codes.length[symbol]!);
  /** One MCU: Y0 with DC 0 and `ac` codes, three empty Y blocks, empty Cb and Cr. */
  const mcu = (ac: (w: EntropyBitWriter) => void) => {
    const w = new EntropyBitWriter();
    code(w, dcCodes, 0);
    ac(w);
    for (let block = 1; block < 6; block++) {
      const codes = block < 4 ? codec.components[0] : chroma;
      code(w, codes.dcCodes, 0);
      code(w, codes.acCodes, 0x00);
    }
    w.padToByte();
    return w.bytes();
  };
  // Three runs of sixteen zeros reach coefficient 48; a run of 15 then a 1 lands on 64.
  const past = mcu((w) => {
    for (let i = 0; i < 3; i++) code(w, acCodes, 0xf0);
    code(w, acCodes, 0xf1);
    w.writeBits(1, 1);
  });
  // The same value written at 63 (a run of 14 from 49).
  const at63 = mcu((w) => {
    for (let i = 0; i < 3; i++) code(w, acCodes, 0xf0);
    code(w, acCodes, 0xe1);
    w.writeBits(1, 1);
  });
  const body = (segment: Uint8Array) =>
    concat(segment, [0xff, 0xd0], at63, [0xff, 0xd1], at63, [0xff, 0xd2], at63, [0xff, 0xd9]);
  const a = decodeJpegBody(body(past), codec);
  const b = decodeJpegBody(body(at63), codec);
  assert.deepEqual(a.corruptMcus, []);
  assert.equal(a.mcusDecoded, 4);
  assert.deepEqual(a.rgb, b.rgb);
});

// ---------------------------------------------------------------------------------------------
// Round trip

test('encode then decode gives back Pillow’s pixels and stays close to the source', () => {
  for (const f of fixtures) {
    const out = decodeJpegBody(encodeJpegBody(f.rgb, f.codec), f.codec);
    assert.ok(maxAbsDifference(out.rgb, f.decoded) <= DECODE_TOLERANCE, f.name);
  }
  // Quality 25 is lossy; mean errors measured at 1.33, 3.17 and 6.06 levels.
  const bounds = { 'flat-64': 2, 'gradient-64': 4, 'photo-64': 7 };
  for (const [name, bound] of Object.entries(bounds)) {
    const f = fixtures.find((x) => x.name === name)!;
    const error = meanAbsDifference(decodeJpegBody(f.body, f.codec).rgb, f.rgb);
    assert.ok(error < bound, `${name}: mean error ${error.toFixed(2)}`);
  }
  // An image that is not a fixture: colour bars with a soft diagonal.
  const rgb = new Uint8Array(32 * 32 * 3);
  for (let y = 0; y < 32; y++)
    for (let x = 0; x < 32; x++) {
      const p = (y * 32 + x) * 3;
      rgb[p] = x < 16 ? 220 : 40;
      rgb[p + 1] = 4 * (x + y);
      rgb[p + 2] = y < 16 ? 60 : 200;
    }
  const out = decodeJpegBody(encodeJpegBody(rgb, codecs[32]), codecs[32]);
  assert.equal(out.mcusDecoded, 4);
  const error = meanAbsDifference(out.rgb, rgb);
  assert.ok(error < 6, `colour bars: mean error ${error.toFixed(2)}`); // measured 4.66
});
