/**
 * JPEG-LM performance peer: the same exported model run by Tessera's decode loop (its own
 * ONNX layout, engine KV cache) and by @huggingface/transformers' text-generation loop (the
 * standard Hugging Face Llama ONNX layout the export writes beside it), same prompt, greedy,
 * same number of new tokens, interleaved round by round because this machine is shared.
 *
 * Prints tokens per second of each, their ratio (goal: Tessera ≥ 1.2×) and whether the greedy
 * token sequences are identical. <eos> is suppressed in both, so both run the full length.
 *
 * Usage: node --import tsx bench/jpeg-lm-peer.ts [--model DIR] [--tokens N] [--rounds N]
 */
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { AutoModelForCausalLM, Tensor, env } from '@huggingface/transformers';
import { manifestSchema } from '../app/common/model-manifest.ts';
import { CachedDecoder } from '../app/inference/engine/decoder.ts';
import { loadSession } from '../app/inference/engine/ort.ts';
import { findShippedModelDir } from '../app/models/testing/shipped-models.ts';
import { WordTokenizer, type WordTokenizerFile } from '../app/inference/engine/tokenizers/word.ts';

const { values } = parseArgs({
  options: {
    model: { type: 'string' },
    tokens: { type: 'string' },
    rounds: { type: 'string' },
    threads: { type: 'string' },
  },
});
const modelDir = resolve(values.model ?? findShippedModelDir('jpeg-lm') ?? 'native-models/exports');
const newTokens = Number(values.tokens ?? 256);
const rounds = Number(values.rounds ?? 5);
const threads = Number(values.threads ?? 2);
if (!existsSync(join(modelDir, 'hf', 'onnx', 'model.onnx'))) {
  console.error(`${modelDir} has no hf/onnx/model.onnx: export the model first`);
  process.exit(2);
}
const manifest = manifestSchema.parse(
  JSON.parse(readFileSync(join(modelDir, 'manifest.json'), 'utf8')),
);
const special = manifest.specialTokens;
const words = WordTokenizer.fromJson(
  JSON.parse(readFileSync(join(modelDir, manifest.tokenizer.file), 'utf8')) as WordTokenizerFile,
);
const textOffset = manifest.tokenizer.idRanges.text[0];
const prompt = [
  special.bos,
  ...words.encode('grinning face', null).map((i) => i + textOffset),
  special.boi!,
];
const vocab = manifest.tokenizer.vocabSize;
const now = () => Number(process.hrtime.bigint()) / 1e6;

function argmax(row: Float32Array, banned: number): number {
  let best = -1;
  let value = -Infinity;
  for (let i = 0; i < row.length; i++) {
    if (i !== banned && row[i]! > value) {
      value = row[i]!;
      best = i;
    }
  }
  return best;
}

const { session } = await loadSession(join(modelDir, manifest.graphs.decoder!.file), {
  provider: 'cpu',
  threads,
});
async function tessera(): Promise<{ ms: number; tokens: number[] }> {
  const t = now();
  const decoder = new CachedDecoder(session, manifest.graphs.decoder!.kv!, 1, vocab);
  let logits = await decoder.prefill([prompt]);
  const out: number[] = [];
  for (let k = 0; k < newTokens; k++) {
    const token = argmax(logits.at(0), special.eos);
    out.push(token);
    if (k < newTokens - 1) logits = await decoder.step(token);
  }
  decoder.dispose();
  return { ms: now() - t, tokens: out };
}

env.allowRemoteModels = false;
env.localModelPath = dirname(join(modelDir, 'hf')) + '/';
const peer = await AutoModelForCausalLM.from_pretrained('hf', {
  local_files_only: true,
  dtype: 'fp32',
  device: 'cpu',
  session_options: { intraOpNumThreads: threads, interOpNumThreads: 1 },
});
async function transformers(): Promise<{ ms: number; tokens: number[] }> {
  const ids = new Tensor('int64', BigInt64Array.from(prompt.map(BigInt)), [1, prompt.length]);
  const mask = new Tensor('int64', new BigInt64Array(prompt.length).fill(1n), [1, prompt.length]);
  const t = now();
  const out = (await peer.generate({
    input_ids: ids,
    attention_mask: mask,
    max_new_tokens: newTokens,
    min_new_tokens: newTokens,
    do_sample: false,
  })) as Tensor;
  const ms = now() - t;
  const all = Array.from(out.data as BigInt64Array, Number);
  return { ms, tokens: all.slice(prompt.length) };
}

// Warm both once, then interleave.
await tessera();
await transformers();
const ratios: number[] = [];
let same = true;
const tps = { tessera: [] as number[], transformers: [] as number[] };
for (let r = 0; r < rounds; r++) {
  const a = await tessera();
  const b = await transformers();
  tps.tessera.push((newTokens / a.ms) * 1000);
  tps.transformers.push((newTokens / b.ms) * 1000);
  ratios.push(b.ms / a.ms);
  if (a.tokens.join() !== b.tokens.join()) {
    same = false;
    const at = a.tokens.findIndex((t, i) => t !== b.tokens[i]);
    console.log(`round ${r}: greedy outputs differ first at new token ${at}`);
  }
}
const median = (xs: number[]) => [...xs].sort((x, y) => x - y)[Math.floor(xs.length / 2)]!;
console.log(
  `model ${manifest.id} (${manifest.graphs.decoder!.kv!.cache} cache), prompt ${prompt.length} tokens + ${newTokens} new, ${threads} threads, ${rounds} rounds`,
);
console.log(`Tessera loop          ${median(tps.tessera).toFixed(1)} tokens/s (median)`);
console.log(`transformers.js loop  ${median(tps.transformers).toFixed(1)} tokens/s (median)`);
console.log(
  `speed ratio Tessera ÷ transformers.js: ${median(ratios).toFixed(2)}× (median of per-round ratios; goal ≥ 1.2×)`,
);
console.log(`greedy outputs identical: ${same ? 'yes' : 'no'}`);
await peer.dispose();
process.exit(same ? 0 : 1);
