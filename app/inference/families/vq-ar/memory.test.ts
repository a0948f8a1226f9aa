import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { ModelManifest } from '../../../common/model-manifest.ts';
import { WordTokenizer } from '../../engine/tokenizers/word.ts';
import { ModelLoadError } from '../types.ts';
import { RetrievalMemory } from './memory.ts';

const CAPTIONS = ['red apple', 'green apple', 'red heart', 'grinning face', 'red apple'];
const words = new WordTokenizer(
  ['<unk>', '<set:noto>', 'apple', 'face', 'green', 'grinning', 'heart', 'red'],
  16,
);

function manifestFor(documents: number, cells = 4): ModelManifest {
  const sha = '0'.repeat(64);
  return {
    id: 'test/memory',
    retrieval: {
      memory: { file: 'memory.json', sha256: sha },
      codes: { file: 'memory-codes.bin', sha256: sha, dtype: 'uint16', shape: [documents, cells] },
      documents,
      query: 'caption-tfidf',
      topK: 1,
    },
  } as unknown as ModelManifest;
}

function codesBytes(n: number, cells = 4): Uint8Array {
  const bytes = new Uint8Array(n * cells * 2);
  const view = new DataView(bytes.buffer);
  for (let i = 0; i < n * cells; i++) view.setUint16(i * 2, 1000 + i, true);
  return bytes;
}

function memory(): RetrievalMemory {
  const json = JSON.stringify({
    kind: 'vq-ar-memory',
    version: 1,
    documents: CAPTIONS.map((c) => [c, 'noto']),
  });
  return RetrievalMemory.fromFiles(manifestFor(5), words, json, codesBytes(5));
}

test('a prompt retrieves the document whose caption it matches best, the first on ties', () => {
  const m = memory();
  // Documents 0 and 4 are both "red apple": equal scores, the lower index wins.
  assert.deepEqual(m.retrieve('Red apple'), { index: 0, caption: 'red apple', set: 'noto' });
  // "apple" is in 3 of 5 captions, "heart" in 1: the rarer word decides.
  assert.equal(m.retrieve('apple heart')?.index, 2);
  // "green" and "heart" are equally rare and each document has one: a tie, the lower index.
  assert.equal(m.retrieve('green heart')?.index, 1);
  assert.equal(m.retrieve('grinning')?.index, 3);
  // Unknown words, punctuation-only and style tokens carry nothing: no document.
  assert.equal(m.retrieve('purple zeppelin'), null);
  assert.equal(m.retrieve(''), null);
  // Codes are read little-endian, one grid per document.
  assert.deepEqual(m.documentCodes(1), [1004, 1005, 1006, 1007]);
  assert.throws(() => m.document(5), /not in this model's memory of 5 documents/);
});

test('a memory file that does not match its manifest is refused with what to do', () => {
  const good = { kind: 'vq-ar-memory', version: 1, documents: CAPTIONS.map((c) => [c, 'noto']) };
  const load = (json: string, bytes = codesBytes(5), manifest = manifestFor(5)) =>
    RetrievalMemory.fromFiles(manifest, words, json, bytes);
  assert.throws(() => load('{not json'), ModelLoadError);
  assert.throws(() => load(JSON.stringify({ ...good, version: 2 })), /version 1 vq-ar-memory/);
  assert.throws(
    () => load(JSON.stringify({ ...good, documents: [['a', 1]] })),
    /not \[caption, set\]/,
  );
  assert.throws(() => load(JSON.stringify(good), codesBytes(5), manifestFor(6)), /holds 5/);
  assert.throws(() => load(JSON.stringify(good), codesBytes(4)), /re-export the model/);
});
