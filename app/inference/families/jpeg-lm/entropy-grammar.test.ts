import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { createJpegCodec } from '../../../media/jpeg/index.ts';
import { WordTokenizer } from '../../engine/tokenizers/word.ts';
import { isMarker, JpegBpe, STUFFED } from './bpe.ts';
import {
  COMPLETE,
  dataBytes,
  EntropyGrammar,
  START,
  type GrammarState,
} from './entropy-grammar.ts';
import { McuGrammar } from './grammar.ts';
import { requireTestModel, TEST_MODEL_DIR } from './testing/test-model.ts';
import { JpegLmVocab } from './vocab.ts';

const FIXTURES = join(import.meta.dirname, '..', '..', '..', 'media', 'jpeg', 'fixtures');
const read = (dir: string, file: string) => new Uint8Array(readFileSync(join(dir, file)));
const fixtureCodec = createJpegCodec(read(FIXTURES, 'tables.bin'), read(FIXTURES, 'header-64.bin'));

function grammarOf(bpe: JpegBpe, codec = fixtureCodec): EntropyGrammar {
  const bytes = Array.from({ length: bpe.size }, (_, t) => (isMarker(t) ? null : bpe.decode([t])));
  return new EntropyGrammar(codec, bytes);
}

/** Token ids of a body cut at its markers: one list per MCU, the marker left off. */
function mcuPaths(ids: readonly number[]): number[][] {
  const out: number[][] = [[]];
  for (const t of ids) {
    if (isMarker(t)) out.push([]);
    else out[out.length - 1]!.push(t);
  }
  if (out[out.length - 1]!.length === 0) out.pop();
  return out;
}

/** Follows a token path from START, checking each token against the allowed set. */
function walk(g: EntropyGrammar, path: readonly number[]): GrammarState | null {
  let state: GrammarState | null = START;
  for (const t of path) {
    if (state === null) return null;
    const allowed = g.allowedData(state);
    const next = g.after(state, t);
    assert.equal(allowed.includes(t), next !== null, `token ${t}: allowed set and after() agree`);
    state = next;
  }
  return state;
}

/** Every MCU of every body is accepted and ends complete; returns how many MCUs were walked. */
function assertBodiesAccepted(g: EntropyGrammar, bodies: readonly number[][]): number {
  let mcus = 0;
  bodies.forEach((ids, i) => {
    mcuPaths(ids).forEach((path, m) => {
      const state = walk(g, path);
      assert.ok(state !== null, `body ${i} MCU ${m}: rejected`);
      assert.ok(EntropyGrammar.complete(state), `body ${i} MCU ${m}: incomplete at its marker`);
      assert.equal(state, COMPLETE);
      mcus++;
    });
  });
  return mcus;
}

test('stuffing is removed from token bytes: FF 00 is the data byte FF', () => {
  assert.deepEqual(
    dataBytes(Uint8Array.of(1, 0xff, 0x00, 0x00, 0xff, 0x00)),
    Uint8Array.of(1, 0xff, 0, 0xff),
  );
  assert.deepEqual(dataBytes(Uint8Array.of()), Uint8Array.of());
});

test('every MCU of the codec fixtures is a complete path of base symbols', () => {
  const bpe = new JpegBpe([]);
  const g = grammarOf(bpe);
  const bodies = ['emoji-64', 'flat-64', 'gradient-64', 'noise-64', 'photo-64'].map((name) =>
    bpe.encode(read(FIXTURES, `${name}.body`)),
  );
  assert.equal(assertBodiesAccepted(g, bodies), 5 * 16);
});

test('every MCU of the golden BPE bodies tokenizes into a path the grammar accepts, ending complete', (t) => {
  requireTestModel();
  const bpe = JpegBpe.fromJson(
    JSON.parse(readFileSync(join(TEST_MODEL_DIR, 'jpeg-bpe.json'), 'utf8')),
  );
  // The model's own files, as its manifest names them: a 32×32 model ships header-32.bin.
  const { jpeg } = JSON.parse(readFileSync(join(TEST_MODEL_DIR, 'manifest.json'), 'utf8')) as {
    jpeg: { tables: { file: string }; header: { file: string } };
  };
  const g = grammarOf(
    bpe,
    createJpegCodec(read(TEST_MODEL_DIR, jpeg.tables.file), read(TEST_MODEL_DIR, jpeg.header.file)),
  );
  const golden = JSON.parse(readFileSync(join(TEST_MODEL_DIR, 'golden-bpe.json'), 'utf8')) as {
    cases: { bodyBase64: string }[];
  };
  assert.ok(golden.cases.length >= 100, 'golden-bpe.json should hold real bodies');
  const bodies = golden.cases.map((c) =>
    bpe.encode(new Uint8Array(Buffer.from(c.bodyBase64, 'base64'))),
  );
  assert.ok(
    bodies.some((ids) => ids.some((id) => id >= 265)),
    'the bodies should use merges',
  );
  const mcus = assertBodiesAccepted(g, bodies);
  t.diagnostic(`${golden.cases.length} bodies, ${mcus} MCUs accepted`);
});

test('a truncated MCU is incomplete; bytes after completion are rejected', () => {
  const bpe = new JpegBpe([]);
  const g = grammarOf(bpe);
  const paths = mcuPaths(bpe.encode(read(FIXTURES, 'photo-64.body')));
  for (const path of paths) {
    assert.ok(path.length >= 2);
    const cut = walk(g, path.slice(0, -1));
    assert.ok(cut !== null && !EntropyGrammar.complete(cut), 'all but the last token: incomplete');
    const whole = g.after(cut, path.at(-1)!);
    assert.equal(whole, COMPLETE);
    // Whatever follows a complete MCU, even a zero byte, is extraneous data.
    for (let t = 0; t < bpe.size; t++) assert.equal(g.after(COMPLETE, t), null);
    assert.equal(g.allowedData(COMPLETE).length, 0);
    // The last token with one more byte is rejected, though its own bytes complete the MCU.
    const bytes = dataBytes(bpe.decode(path));
    assert.equal(g.feed(START, bytes), COMPLETE);
    assert.equal(g.feed(START, Uint8Array.of(...bytes, 0x00)), null);
  }
});

test('invalid Huffman codes and runs past coefficient 63 are rejected', () => {
  const g = grammarOf(new JpegBpe([]));
  // Sixteen 1 bits are no DC code (the all-ones code stays unused).
  assert.equal(g.feed(START, Uint8Array.of(0xff, 0xff)), null);
  assert.equal(g.after(START, STUFFED), g.feed(START, Uint8Array.of(0xff)));
  assert.notEqual(g.feed(START, Uint8Array.of(0xff)), null, 'eight 1 bits are still a prefix');
  // Y DC 00 (size 0), then AC ZRL codes (11111111001, sixteen zeros each): three reach
  // coefficient 49, a fourth would run to 65.
  const zrl = '11111111001';
  const bits = '00' + zrl.repeat(4);
  const toBytes = (s: string) =>
    Uint8Array.from(
      s
        .padEnd(Math.ceil(s.length / 8) * 8, '1')
        .match(/.{8}/g)!
        .map((b) => parseInt(b, 2)),
    );
  assert.notEqual(g.feed(START, toBytes('00' + zrl.repeat(3) + '0')), null, '48 zeros are fine');
  assert.equal(g.feed(START, toBytes(bits + '0')), null, 'a fourth ZRL passes coefficient 63');
});

test('the allowed set from START is non-empty and ascending, and never holds a marker', () => {
  const bpe = new JpegBpe([
    [0, 0],
    [265, 1],
  ]);
  const g = grammarOf(bpe);
  const ids = Array.from(g.allowedData(START));
  assert.ok(ids.length > 0);
  assert.deepEqual(
    ids,
    [...ids].sort((a, b) => a - b),
  );
  assert.ok(ids.every((t) => !isMarker(t) && t < bpe.size));
  // Exactly the tokens whose bytes continue the MCU.
  for (let t = 0; t < bpe.size; t++) {
    const fed = isMarker(t) ? null : g.feed(START, dataBytes(bpe.decode([t])));
    assert.equal(ids.includes(t), fed !== null, `token ${t}`);
    assert.equal(g.after(START, t), fed);
  }
});

test('the MCU grammar: data tokens while open, the marker alone once complete or forced', () => {
  const bpe = new JpegBpe([[1, 2]]);
  const vocab = new JpegLmVocab(new WordTokenizer(['<unk>', 'red'], 16), bpe, 6);
  const J = vocab.jpegOffset;
  const g = new McuGrammar(vocab, 4, 100, 1000, McuGrammar.entropyOf(vocab, fixtureCodec));
  const open = Array.from(g.allowed(1, false, START));
  assert.deepEqual(
    open,
    Array.from(g.entropy.allowedData(START)).map((t) => t + J),
  );
  assert.ok(!open.includes(g.marker(1)), 'no marker while the MCU is incomplete');
  assert.deepEqual(Array.from(g.allowed(1, false, COMPLETE)), [g.marker(1)]);
  assert.deepEqual(Array.from(g.allowed(1, true, START)), [g.marker(1)]);
  assert.deepEqual(Array.from(g.allowed(3, false, null)), [g.marker(3)]);
  assert.equal(g.after(START, J + 5), g.entropy.after(START, 5));
  assert.equal(g.after(null, J + 5), null);
});
