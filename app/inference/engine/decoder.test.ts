/**
 * The cached decoder on both shipped models, one per cache layout: vq-ar keeps a
 * concatenated cache, jpeg-lm a slot cache the engine appends to. Whatever the layout,
 * prefill-then-step must give the logits of one full pass, a branch must leave the cache as it
 * was, and the slot buffer must survive growing past its chunks.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { manifestSchema, type ModelManifest } from '../../common/model-manifest.ts';
import { shippedModelDir } from '../../models/testing/shipped-models.ts';
import { CachedDecoder } from './decoder.ts';
import { SLOT_CHUNK } from './kv-cache.ts';
import { MASK_VALUE, slotMask } from './masks.ts';
import { loadSession, type InferenceSession } from './ort.ts';

test('slotMask blocks free slots and future tokens, and nothing else', () => {
  // 2 rows, 2 new tokens after 3 cached ones in 5 slots: width 7.
  const m = slotMask(2, 2, 3, 5);
  const B = MASK_VALUE;
  const rows = [
    [0, 0, 0, B, B, 0, B],
    [0, 0, 0, B, B, 0, 0],
  ];
  assert.deepEqual(Array.from(m), [...rows.flat(), ...rows.flat()]);
  assert.deepEqual(Array.from(slotMask(1, 1, 0, 0)), [0]);
});

function maxDiff(a: Float32Array, b: Float32Array): number {
  assert.equal(a.length, b.length);
  let d = 0;
  for (let i = 0; i < a.length; i++) d = Math.max(d, Math.abs(a[i]! - b[i]!));
  return d;
}

for (const family of ['vq-ar', 'jpeg-lm']) {
  describe(`${family} decoder`, () => {
    let session: InferenceSession;
    let manifest: ModelManifest;
    before(async () => {
      const dir = shippedModelDir(family);
      manifest = manifestSchema.parse(JSON.parse(readFileSync(join(dir, 'manifest.json'), 'utf8')));
      ({ session } = await loadSession(join(dir, manifest.graphs.decoder!.file), {
        provider: 'cpu',
        threads: 1,
      }));
    });
    after(async () => session?.release());

    const make = (batch: number) =>
      new CachedDecoder(session, manifest.graphs.decoder!.kv!, batch, manifest.tokenizer.vocabSize);
    /** Two rows of different real token ids. */
    const rows = (length: number) => {
      const [lo, hi] = manifest.tokenizer.idRanges.text;
      const span = hi! - lo!;
      return [0, 1].map((r) =>
        Array.from({ length }, (_, i) => lo! + ((i * 7 + r * 13 + 3) % span)),
      );
    };

    test('prefill then steps gives the logits of one full pass, across slot chunks', async () => {
      // vq-ar's context (96) is shorter than two chunks; jpeg-lm's (832) is not.
      const length = Math.min(manifest.graphs.decoder!.kv!.context, 2 * SLOT_CHUNK + 9);
      const ids = rows(length);
      const full = make(2);
      const all = await full.prefill(ids);
      const split = 20;
      const stepped = make(2);
      let logits = await stepped.prefill(ids.map((r) => r.slice(0, split)));
      let worst = maxDiff(logits.at(0), all.at(0, split - 1));
      for (let t = split; t < length; t++) {
        logits = await stepped.step(ids.map((r) => r[t]!));
        for (const b of [0, 1]) worst = Math.max(worst, maxDiff(logits.at(b), all.at(b, t)));
      }
      assert.equal(stepped.length, length);
      assert.ok(worst <= 1e-4, `max abs diff ${worst}`);
      full.dispose();
      stepped.dispose();
    });

    test('a branch leaves the cache exactly as it was', async () => {
      const ids = rows(SLOT_CHUNK + 5);
      const plain = make(2);
      const branched = make(2);
      await plain.prefill(ids.map((r) => r.slice(0, SLOT_CHUNK)));
      await branched.prefill(ids.map((r) => r.slice(0, SLOT_CHUNK)));
      const side = await branched.branch(ids.map((r) => r.slice(SLOT_CHUNK, SLOT_CHUNK + 4)));
      assert.equal(side.seq, 4);
      assert.equal(branched.length, SLOT_CHUNK);
      const a = await plain.step(ids.map((r) => r[SLOT_CHUNK]!));
      const b = await branched.step(ids.map((r) => r[SLOT_CHUNK]!));
      assert.deepEqual(a.data, b.data);
      // The branch's first position is the same token after the same cache.
      assert.ok(maxDiff(side.at(1, 0), a.at(1)) <= 1e-4);
      plain.dispose();
      branched.dispose();
    });

    test('several tokens after a cache, cut back past rejected drafts, continue as one pass', async () => {
      // A speculative run: 6 drafts after the prompt, the last 3 rejected, then other tokens.
      const length = 40;
      const ids = rows(length);
      const full = make(2);
      const all = await full.prefill(ids);
      const spec = make(2);
      await spec.prefill(ids.map((r) => r.slice(0, 20)));
      const wrong = ids.map((r) => [...r.slice(20, 23), r[30]!, r[31]!, r[32]!]);
      const drafts = await spec.prefill(wrong);
      assert.equal(drafts.seq, 6);
      let worst = 0;
      for (let t = 0; t < 3; t++)
        for (const b of [0, 1])
          worst = Math.max(worst, maxDiff(drafts.at(b, t), all.at(b, 20 + t)));
      spec.truncate(23);
      assert.equal(spec.length, 23);
      const rest = await spec.prefill(ids.map((r) => r.slice(23, 27)));
      for (let t = 0; t < 4; t++)
        for (const b of [0, 1]) worst = Math.max(worst, maxDiff(rest.at(b, t), all.at(b, 23 + t)));
      const next = await spec.step(ids.map((r) => r[27]!));
      for (const b of [0, 1]) worst = Math.max(worst, maxDiff(next.at(b), all.at(b, 27)));
      assert.equal(spec.length, 28);
      assert.ok(worst <= 1e-4, `max abs diff ${worst}`);
      assert.throws(() => spec.truncate(29), /cannot cut a cache of 28 tokens to 29/);
      full.dispose();
      spec.dispose();
    });

    test('a token tree gives each branch the logits of its own chain; one path is kept', async () => {
      const ids = rows(30);
      const [a, b, c, d, e, f] = [20, 21, 22, 23, 24, 25].map((t) => ids.map((r) => r[t]!)) as [
        number[],
        number[],
        number[],
        number[],
        number[],
        number[],
      ];
      // Two branches after `a`: a-b-d and a-c-e. Tokens are the same for both rows.
      const tokens = [a[0]!, b[0]!, c[0]!, d[0]!, e[0]!];
      const same = (xs: number[]) => ids.map((r) => [...r.slice(0, 20), ...xs]);
      const left = await make(2).prefill(same([a[0]!, b[0]!, d[0]!]));
      const right = await make(2).prefill(same([a[0]!, c[0]!, e[0]!, f[0]!]));
      const spec = make(2);
      await spec.prefill(ids.map((r) => r.slice(0, 20)));
      const tree = await spec.tree(tokens, [-1, 0, 0, 1, 2]);
      let worst = 0;
      const check = (got: Float32Array, want: Float32Array) =>
        (worst = Math.max(worst, maxDiff(got, want)));
      for (const r of [0, 1]) {
        check(tree.at(r, 0), left.at(r, 20));
        check(tree.at(r, 1), left.at(r, 21));
        check(tree.at(r, 3), left.at(r, 22));
        check(tree.at(r, 2), right.at(r, 21));
        check(tree.at(r, 4), right.at(r, 22));
      }
      spec.select(20, [0, 2, 4]);
      assert.equal(spec.length, 23);
      const next = await spec.step(f[0]!);
      for (const r of [0, 1]) check(next.at(r), right.at(r, 23));
      assert.ok(worst <= 1e-4, `max abs diff ${worst}`);
      assert.throws(() => spec.select(20, [1, 0]), /cannot keep token/);
      spec.dispose();
    });
  });
}

test('a graph whose cache is not kept as its manifest says is refused, not misread', async () => {
  const dir = shippedModelDir('jpeg-lm');
  const manifest = manifestSchema.parse(
    JSON.parse(readFileSync(join(dir, 'manifest.json'), 'utf8')),
  );
  const kv = manifest.graphs.decoder!.kv!;
  const { session } = await loadSession(join(dir, manifest.graphs.decoder!.file), {
    provider: 'cpu',
    threads: 1,
  });
  const wrong = kv.cache === 'slots' ? 'concat' : 'slots';
  const decoder = new CachedDecoder(
    session,
    { ...kv, cache: wrong },
    1,
    manifest.tokenizer.vocabSize,
  );
  const [lo] = manifest.tokenizer.idRanges.text;
  // A slot buffer fed to a concat graph comes back with its free slots too, at once; a
  // slots graph declared as concat returns only the new rows, which shows from the second run.
  await assert.rejects(async () => {
    await decoder.prefill([[lo!, lo! + 1, lo! + 2]]);
    await decoder.step(lo!);
  }, /kv\.cache "(slots|concat)".*correct kv\.cache/);
  decoder.dispose();
  await session.release();
});
