import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { createJpegCodec } from '../../../media/jpeg/index.ts';
import { WordTokenizer } from '../../engine/tokenizers/word.ts';
import { EOI_ID, JpegBpe, RST0 } from './bpe.ts';
import { COMPLETE, START } from './entropy-grammar.ts';
import { McuGrammar } from './grammar.ts';
import { JpegLmVocab } from './vocab.ts';

// 6 specials, 4 words (text ids 6..9), then 265 + 2 JPEG tokens from id 10.
const vocab = new JpegLmVocab(
  new WordTokenizer(['<unk>', 'red', 'apple', '<set:noto>'], 16),
  new JpegBpe([
    [1, 2],
    [3, 4],
  ]),
  6,
);
const J = 10;
const FIXTURES = join(import.meta.dirname, '..', '..', '..', 'media', 'jpeg', 'fixtures');
const codec = createJpegCodec(
  new Uint8Array(readFileSync(join(FIXTURES, 'tables.bin'))),
  new Uint8Array(readFileSync(join(FIXTURES, 'header-64.bin'))),
);
const grammar = (mcus: number, maxMcuTokens: number, context: number) =>
  new McuGrammar(vocab, mcus, maxMcuTokens, context, McuGrammar.entropyOf(vocab, codec));

test('the vocabulary puts words after the specials and JPEG tokens after the words', () => {
  assert.equal(vocab.jpegOffset, J);
  assert.equal(vocab.size, J + 267);
  assert.deepEqual(vocab.captionIds('Red apple', 'noto'), [9, 7, 8]);
  assert.equal(vocab.decodeCaption([9, 7, 8, 2]), 'red apple');
  assert.deepEqual(vocab.jpegIds(Uint8Array.of(1, 2, 0xff, 0xd9)), [J + 265, J + EOI_ID]);
  assert.deepEqual(vocab.jpegBytes([2, J + 266]), Uint8Array.of(3, 4));
});

test('inside MCU m: the data tokens the entropy grammar allows; RST(m mod 8) once complete', () => {
  const g = grammar(10, 100, 1000);
  const open = Array.from(g.allowed(3, false, START));
  assert.ok(open.length > 0);
  assert.deepEqual(
    open,
    [...open].sort((a, b) => a - b),
  );
  for (let k = 0; k < 9; k++) assert.ok(!open.includes(J + RST0 + k), 'no marker while open');
  assert.ok(open.every((id) => id >= J && id < J + 267));
  assert.deepEqual(Array.from(g.allowed(3, false, COMPLETE)), [J + RST0 + 3]);
  assert.equal(g.marker(9), J + EOI_ID);
  assert.equal(g.marker(8), J + RST0); // RST numbers wrap every 8 MCUs
  assert.deepEqual(Array.from(g.allowed(9, true, START)), [J + EOI_ID]);
});

test('the marker is forced at the per-MCU limit and before the context runs out', () => {
  const g = grammar(4, 5, 50);
  assert.equal(g.mustClose(0, 4, 10), false);
  assert.equal(g.mustClose(0, 5, 10), true);
  // MCU 1 still owes 3 markers (its own and two more): 46 + 3 < 50, 47 + 3 = 50.
  assert.equal(g.mustClose(1, 0, 46), false);
  assert.equal(g.mustClose(1, 0, 47), true);
  assert.equal(g.mustClose(3, 0, 48), false);
  assert.equal(g.mustClose(3, 0, 49), true);
});
