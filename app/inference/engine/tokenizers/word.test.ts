import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { UNK, WordTokenizer, words, type WordTokenizerFile } from './word.ts';

const exportsDir = join(import.meta.dirname, '..', '..', '..', '..', 'native-models', 'exports');
const models = existsSync(exportsDir)
  ? readdirSync(exportsDir).filter((d) => existsSync(join(exportsDir, d, 'golden-words.json')))
  : [];

test('split rules', () => {
  assert.deepEqual(words('Woman Golfing: dark,skin  tone'), [
    'woman',
    'golfing',
    ':',
    'dark',
    ',',
    'skin',
    'tone',
  ]);
  assert.deepEqual(words('   '), []);
});

test('encodes 500 captions exactly as the Python tokenizer did', () => {
  assert.ok(models.length > 0, 'no exported model with golden-words.json');
  for (const dir of models) {
    const file = JSON.parse(readFileSync(join(exportsDir, dir, 'words.json'), 'utf8'));
    const tok = WordTokenizer.fromJson(file as WordTokenizerFile);
    const golden = JSON.parse(readFileSync(join(exportsDir, dir, 'golden-words.json'), 'utf8'));
    assert.equal(golden.cases.length, 500);
    for (const c of golden.cases as { text: string; style: string | null; ids: number[] }[]) {
      assert.deepEqual(tok.encode(c.text, c.style), c.ids, c.text);
    }
  }
});

test('unknown words and styles', () => {
  const tok = new WordTokenizer(['<unk>', '<set:noto>', 'apple', 'red'], 16);
  assert.deepEqual(tok.encode('Red banana', 'noto'), [1, 3, 0]);
  assert.deepEqual(tok.unknownWords('red banana'), ['banana']);
  assert.equal(tok.decode([1, 3, 2]), 'red apple');
  assert.throws(() => tok.encode('red', 'emojidex'), /no style "emojidex"/);
  assert.throws(() => new WordTokenizer(['a'], 4), /no <unk>/);
});

test('a prompt check names unknown words and the words past the budget, as encode reads them', () => {
  const tok = new WordTokenizer(['<pad>', UNK, 'red', 'heart', '<set:noto>', ':'], 4);
  const check = tok.check('Red xylophonic heart: red heart');
  assert.deepEqual(check.words, [
    { text: 'red', known: true, kept: true },
    { text: 'xylophonic', known: false, kept: true },
    { text: 'heart', known: true, kept: true },
    { text: ':', known: true, kept: true },
    { text: 'red', known: true, kept: false },
    { text: 'heart', known: true, kept: false },
  ]);
  assert.deepEqual([check.budget, check.used], [4, 4]);
  // encode reads exactly the kept words, an unknown one as <unk>
  assert.deepEqual(tok.encode('Red xylophonic heart: red heart'), [2, 1, 3, 5]);
  // a style takes the first place
  const styled = tok.check('red heart : red', 'noto');
  assert.deepEqual([styled.budget, styled.used], [3, 3]);
  assert.deepEqual(
    styled.words.map((w) => w.kept),
    [true, true, true, false],
  );
  assert.equal(tok.encode('red heart : red', 'noto').length, 4);
  assert.deepEqual(tok.check('   ').words, []);
});
