import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { BASE, EOI_ID, JpegBodyError, JpegBpe, RST0, STUFFED } from './bpe.ts';
import { requireTestModel, TEST_MODEL_DIR } from './testing/test-model.ts';

const bytes = (...b: number[]) => Uint8Array.from(b);

test('the tokenizer gives exactly the Python ids for every golden body, and decodes them back', () => {
  requireTestModel();
  const bpe = JpegBpe.fromJson(
    JSON.parse(readFileSync(join(TEST_MODEL_DIR, 'jpeg-bpe.json'), 'utf8')),
  );
  const golden = JSON.parse(readFileSync(join(TEST_MODEL_DIR, 'golden-bpe.json'), 'utf8')) as {
    cases: { bodyBase64: string; ids: number[] }[];
  };
  assert.ok(golden.cases.length >= 100, 'golden-bpe.json should hold real bodies');
  assert.ok(
    golden.cases.some((c) => c.ids.some((id) => id >= BASE)),
    'the golden bodies should exercise merges',
  );
  golden.cases.forEach((c, i) => {
    const body = new Uint8Array(Buffer.from(c.bodyBase64, 'base64'));
    assert.deepEqual(bpe.encode(body), c.ids, `case ${i}`);
    assert.deepEqual(bpe.decode(c.ids), body, `case ${i} decoded`);
  });
});

test('base symbols: bytes, the stuffed pair and markers are one symbol each', () => {
  const bpe = new JpegBpe([]);
  assert.deepEqual(
    bpe.encode(bytes(0x00, 0xfe, 0xff, 0x00, 0x7f, 0xff, 0xd0, 0xff, 0xd7, 0x01, 0xff, 0xd9)),
    [0, 254, STUFFED, 127, RST0, RST0 + 7, 1, EOI_ID],
  );
});

test('merges apply in rank order, non-overlapping left to right, and never across a marker', () => {
  // 265 = (5, 5); 266 = (265, 7); 267 = (1, 2)
  const bpe = new JpegBpe([
    [5, 5],
    [265, 7],
    [1, 2],
  ]);
  assert.equal(bpe.size, 268);
  assert.deepEqual(bpe.encode(bytes(5, 5, 5)), [265, 5]);
  assert.deepEqual(bpe.encode(bytes(5, 5, 5, 5, 7)), [265, 266]);
  assert.deepEqual(bpe.encode(bytes(1, 0xff, 0xd3, 2, 1, 2)), [1, RST0 + 3, 2, 267]);
  assert.deepEqual(
    bpe.decode([266, RST0 + 3, 267, EOI_ID]),
    bytes(5, 5, 7, 0xff, 0xd3, 1, 2, 0xff, 0xd9),
  );
});

test('random bodies round-trip through encode and decode', () => {
  const merges: [number, number][] = [
    [0, 0],
    [STUFFED, 3],
    [265, 265],
    [9, 266],
    [12, 12],
  ];
  const bpe = new JpegBpe(merges);
  let state = 12345;
  const next = () => (state = (state * 1103515245 + 12345) >>> 0) >>> 16;
  for (let n = 0; n < 200; n++) {
    const body: number[] = [];
    for (let mcu = 0, count = 1 + (next() % 6); mcu < count; mcu++) {
      for (let k = next() % 40; k > 0; k--) {
        const r = next() % 20;
        // Mostly a few values, so merges fire; FF always stuffed.
        if (r < 3) body.push(0xff, 0x00);
        else if (r < 12) body.push([0, 3, 9, 12][r % 4]!);
        else body.push(next() % 255);
      }
      body.push(0xff, mcu === count - 1 ? 0xd9 : 0xd0 + (mcu % 8));
    }
    const b = Uint8Array.from(body);
    const ids = bpe.encode(b);
    assert.deepEqual(bpe.decode(ids), b);
    assert.ok(ids.length <= b.length);
  }
});

test('a lone FF or a foreign marker is refused, naming the byte', () => {
  const bpe = new JpegBpe([]);
  assert.throws(
    () => bpe.encode(bytes(0x12, 0xff)),
    (err: Error) => {
      assert.ok(err instanceof JpegBodyError);
      assert.match(err.message, /lone FF at the end of the body \(byte 1\)/);
      return true;
    },
  );
  assert.throws(
    () => bpe.encode(bytes(0x12, 0xff, 0xc4, 0x00)),
    /unexpected marker FF C4 at byte 1/,
  );
  assert.throws(() => bpe.decode([BASE]), /token 265 is not a JPEG token of this model \(0..264\)/);
});

test('a tokenizer file that is not a valid jpeg-bpe v1 is refused', () => {
  assert.throws(
    () => JpegBpe.fromJson({ kind: 'word', version: 1, merges: [] }),
    /not a jpeg-bpe v1/,
  );
  assert.throws(() => JpegBpe.fromJson({ kind: 'jpeg-bpe', version: 1, merges: [[1]] }), /pairs/);
  assert.throws(
    () => JpegBpe.fromJson({ kind: 'jpeg-bpe', version: 1, merges: [[1, 265]] }),
    /merge 0 joins token 265, which does not exist yet/,
  );
  assert.throws(
    () => JpegBpe.fromJson({ kind: 'jpeg-bpe', version: 1, merges: [[1, RST0]] }),
    /merge 0 includes a marker/,
  );
});
