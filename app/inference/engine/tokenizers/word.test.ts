import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { WordTokenizer, words, type WordTokenizerFile } from './word.ts';

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
