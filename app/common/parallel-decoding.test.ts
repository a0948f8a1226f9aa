import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { shippedModelDir } from '../models/testing/shipped-models.ts';
import { decodingOption } from '../cli/options.ts';
import { tinyJanusDir } from '../inference/families/janus-pro/testing/tiny-model.ts';
import { manifestSchema, type ModelManifest } from './model-manifest.ts';
import { decodingFor, parallelDecodingRefusal } from './parallel-decoding.ts';

const shipped = (family: string): ModelManifest =>
  manifestSchema.parse(
    JSON.parse(readFileSync(join(shippedModelDir(family), 'manifest.json'), 'utf8')),
  );

/** The manifest of a graph exported to take exactly one new token per run. */
function singleToken(m: ModelManifest): ModelManifest {
  const decoder = m.graphs.decoder!;
  const inputs = decoder.inputs.map((i) =>
    i.name === 'input_ids' ? { ...i, shape: [i.shape[0]!, 1] } : i,
  );
  return { ...m, graphs: { ...m.graphs, decoder: { ...decoder, inputs } } };
}

const sampling = { cfgScale: 3, temperature: 1, topK: 0, topP: 0.9, cdk: null };

const tinyJanus = (): ModelManifest =>
  manifestSchema.parse(JSON.parse(readFileSync(join(tinyJanusDir(), 'manifest.json'), 'utf8')));

test('both shipped token models take several tokens per run', () => {
  assert.equal(parallelDecodingRefusal(shipped('vq-ar')), null);
  assert.equal(parallelDecodingRefusal(shipped('jpeg-lm')), null);
});

test('a one-token graph falls back to the plain loop with a notice that says why', () => {
  const m = singleToken(shipped('vq-ar'));
  assert.match(parallelDecodingRefusal(m)!, /takes one new token per run.*re-export/);
  const decoding = { mode: 'parallel' as const, window: 8 };
  const out = decodingFor(m, { ...sampling, decoding });
  assert.deepEqual(out.sampling, sampling);
  assert.match(out.notice!, /Decoding one token per run instead/);
  assert.deepEqual(decodingFor(shipped('vq-ar'), { ...sampling, decoding }), {
    sampling: { ...sampling, decoding },
    notice: null,
  });
  const warnings: string[] = [];
  assert.equal(
    decodingOption({ decoding: 'parallel' }, m, (w) => warnings.push(w)),
    undefined,
  );
  assert.equal(warnings.length, 1);
});

test('--decoding and --window are checked, with messages that say what to pass', () => {
  const m = shipped('vq-ar');
  const warn = () => assert.fail('no warning expected');
  assert.equal(decodingOption({}, m, warn), undefined);
  assert.deepEqual(decodingOption({ decoding: 'parallel', window: '4' }, m, warn), {
    mode: 'parallel',
    window: 4,
    fanout: [4, 4],
    drafts: 'lines-previous',
  });
  assert.equal(decodingOption({ decoding: 'parallel' }, m, warn)?.mode, 'parallel');
  assert.throws(() => decodingOption({ decoding: 'fast' }, m, warn), /plain or parallel/);
  assert.throws(
    () => decodingOption({ decoding: 'parallel', window: '17' }, m, warn),
    /--window must be between 1 and 16, got 17/,
  );
  assert.throws(
    () => decodingOption({ decoding: 'parallel', window: '0' }, m, warn),
    /--window must be between 1 and 16/,
  );
  assert.throws(() => decodingOption({ window: '4' }, m, warn), /add --decoding parallel/);
});

test('Janus-Pro decodes in parallel through its language model, one chain of drafts per run', () => {
  const m = tinyJanus();
  assert.equal(parallelDecodingRefusal(m), null);
  const warn = () => assert.fail('no warning expected');
  assert.deepEqual(decodingOption({ decoding: 'parallel', window: '5' }, m, warn), {
    mode: 'parallel',
    window: 5,
    fanout: [1],
    drafts: 'lines-previous',
  });
  const lm = m.graphs.language_model!;
  const inputs = lm.inputs.map((i) =>
    i.name === 'inputs_embeds' ? { ...i, shape: [i.shape[0]!, 1, i.shape[2]!] } : i,
  );
  const single = { ...m, graphs: { ...m.graphs, language_model: { ...lm, inputs } } };
  assert.match(
    parallelDecodingRefusal(single)!,
    /language_model graph takes one new token per run.*re-export/,
  );
  const out = decodingFor(single, { ...sampling, decoding: { mode: 'parallel', window: 4 } });
  assert.deepEqual(out.sampling, sampling);
  assert.match(out.notice!, /Decoding one token per run instead/);
});
