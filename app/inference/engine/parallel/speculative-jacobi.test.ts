/**
 * Speculative Jacobi decoding must sample exactly the plain loop's distribution. A toy decoder
 * whose logits depend on the whole prefix (so drafts are often wrong) and a grammar that forbids
 * a token after itself make the joint distribution of a short sequence computable exactly; the
 * parallel sampler's counts over many seeds are held to it with a chi-square test, guided and
 * top-p included. Seeded, so the verdict is the same on every run. The test is shown strong
 * enough by mutation: the same test, same seeds and sample count, rejects a sampler that checks
 * drafts against the wrong Jacobi line or skips the residual at p < 1e-3.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { DecoderLogits } from '../decoder.ts';
import { sampleToken, tokenDistribution, type SamplingSettings } from '../logits/sample.ts';
import { Prng } from '../rng.ts';
import {
  jacobiDecode,
  type DraftSources,
  type SamplerFault,
  type SpeculativeDecoder,
  type TokenGrammar,
} from './speculative-jacobi.ts';

const V = 4;
const LENGTH = 4;
const PROMPT = [7];

/** Row b's logits after `prefix`: a fixed, prefix-dependent function. */
function toyLogits(prefix: readonly number[], b: number): Float32Array {
  let h = 17 + b * 101;
  for (const t of prefix) h = (h * 31 + t + 3) % 9973;
  return Float32Array.from({ length: V }, (_, v) => 2.5 * Math.sin(h * (v + 1) * 0.37 + b));
}

/** The toy as a decoder with a cache: the cache is the token list itself. */
class ToyDecoder implements SpeculativeDecoder {
  readonly tokens: number[] = [];
  runs = 0;
  /** Refuse trees, as a graph that builds its own causal mask must. */
  chainOnly = false;
  constructor(readonly batch: number) {}
  get length(): number {
    return this.tokens.length;
  }
  async prefill(row: readonly number[]): Promise<DecoderLogits> {
    return this.tree(
      row,
      row.map((_, i) => i - 1),
    );
  }
  async tree(tokens: readonly number[], parents: readonly number[]): Promise<DecoderLogits> {
    if (this.chainOnly && parents.some((p, i) => p !== i - 1))
      throw new RangeError(`not a chain: ${parents.join(' ')}`);
    this.runs++;
    const seq = tokens.length;
    const data = new Float32Array(this.batch * seq * V);
    for (let t = 0; t < seq; t++) {
      const path: number[] = [];
      for (let a = t; a >= 0; a = parents[a]!) path.unshift(tokens[a]!);
      for (let b = 0; b < this.batch; b++)
        data.set(toyLogits([...this.tokens, ...path], b), (b * seq + t) * V);
    }
    this.tokens.push(...tokens);
    return new DecoderLogits(data, seq, V);
  }
  select(base: number, offsets: readonly number[]): void {
    const kept = offsets.map((o) => this.tokens[base + o]!);
    this.tokens.length = base;
    this.tokens.push(...kept);
  }
}

/** Token 3 may not follow itself; state = the last token. */
const grammar: TokenGrammar<number> = {
  start: -1,
  allowed: (last) => Int32Array.from([0, 1, 2, 3].filter((t) => !(t === 3 && last === 3))),
  after: (_, token) => token,
  done: (_, position) => position === LENGTH,
};

function sequentialSample(s: SamplingSettings, guided: boolean, prng: Prng): number[] {
  const out: number[] = [];
  let state = grammar.start;
  while (!grammar.done(state, out.length)) {
    const ids = grammar.allowed(state, out.length);
    const prefix = [...PROMPT, ...out];
    const pick = (b: number) => Float32Array.from(ids, (i) => toyLogits(prefix, b)[i]!);
    const token = ids[sampleToken(pick(0), guided ? pick(1) : null, s, prng)]!;
    out.push(token);
    state = grammar.after(state, token);
  }
  return out;
}

async function parallelSample(
  s: SamplingSettings,
  guided: boolean,
  window: number,
  fanout: readonly number[],
  prng: Prng,
  sources?: DraftSources,
  fault?: SamplerFault,
  chain = false,
): Promise<{ body: number[]; runs: number }> {
  const decoder = new ToyDecoder(guided ? 2 : 1);
  decoder.chainOnly = chain;
  const promptLogits = await decoder.prefill(PROMPT);
  const { body } = await jacobiDecode({
    decoder,
    promptLogits,
    guided,
    settings: s,
    prng,
    window,
    fanout,
    grammar,
    guess: (sofar) => sofar[sofar.length - 1] ?? null,
    ...(sources === undefined ? {} : { sources }),
    ...(fault === undefined ? {} : { fault }),
    chain,
  });
  return { body, runs: decoder.runs };
}

/** Exact probability of every complete sequence under the plain loop. */
function exactJoint(s: SamplingSettings, guided: boolean): Map<string, number> {
  const out = new Map<string, number>();
  const walk = (seq: number[], state: number, p: number) => {
    if (grammar.done(state, seq.length)) {
      out.set(seq.join(''), p);
      return;
    }
    const ids = grammar.allowed(state, seq.length);
    const prefix = [...PROMPT, ...seq];
    const pick = (b: number) => Float32Array.from(ids, (i) => toyLogits(prefix, b)[i]!);
    const d = tokenDistribution(pick(0), guided ? pick(1) : null, s);
    ids.forEach((t, i) => d[i]! > 0 && walk([...seq, t], grammar.after(state, t), p * d[i]!));
  };
  walk([], grammar.start, 1);
  return out;
}

/** Upper-tail p-value of a chi-square statistic (Wilson–Hilferty). */
function chiSquareP(x: number, df: number): number {
  const z = (Math.cbrt(x / df) - (1 - 2 / (9 * df))) / Math.sqrt(2 / (9 * df));
  // Normal upper tail (Abramowitz–Stegun 26.2.17), good to 1e-7.
  const t = 1 / (1 + 0.2316419 * Math.abs(z));
  const poly =
    t *
    (0.31938153 + t * (-0.356563782 + t * (1.781477937 + t * (-1.821255978 + t * 1.330274429))));
  const tail = (Math.exp((-z * z) / 2) / Math.sqrt(2 * Math.PI)) * poly;
  return z >= 0 ? tail : 1 - tail;
}

/** Chi-square of observed counts against exact probabilities, sparse cells pooled. */
function goodnessOfFit(counts: Map<string, number>, exact: Map<string, number>, n: number) {
  for (const key of counts.keys()) assert.ok(exact.has(key), `sampled impossible sequence ${key}`);
  let stat = 0;
  let cells = 0;
  let pooledObserved = 0;
  let pooledExpected = 0;
  for (const [key, p] of exact) {
    const expected = p * n;
    const observed = counts.get(key) ?? 0;
    if (expected < 5) {
      pooledObserved += observed;
      pooledExpected += expected;
      continue;
    }
    stat += (observed - expected) ** 2 / expected;
    cells++;
  }
  if (pooledExpected > 0) {
    stat += (pooledObserved - pooledExpected) ** 2 / pooledExpected;
    cells++;
  }
  return { stat, df: cells - 1, p: chiSquareP(stat, cells - 1) };
}

const SAMPLES = 6000;
interface Case {
  name: string;
  s: SamplingSettings;
  guided: boolean;
  window: number;
  fanout: number[];
  sources?: DraftSources;
  /** One chain of drafts per run (the decoder refuses trees); `fanout` then unused. */
  chain?: boolean;
}
const cases: Case[] = [
  {
    name: 'guided, top-p 0.95, window 3, three candidates then two',
    s: { cfgScale: 1.5, temperature: 1.6, topK: 0, topP: 0.95, cdk: null },
    guided: true,
    window: 3,
    fanout: [3, 2],
  },
  {
    name: 'unguided, temperature 1.3, top-k 3, window 2',
    s: { cfgScale: 1, temperature: 1.3, topK: 3, topP: 1, cdk: null },
    guided: false,
    window: 2,
    fanout: [1],
  },
  {
    // Every rejected candidate's line, and drafts from the newest token's distribution where
    // no run has reached (restricted by the grammar: 3 may not follow 3).
    name: 'guided, top-p 0.9, window 3, two candidates at two depths, every line, previous drafts',
    s: { cfgScale: 2, temperature: 1.2, topK: 0, topP: 0.9, cdk: null },
    guided: true,
    window: 3,
    fanout: [2, 2],
    sources: { lines: true, previous: true },
  },
  {
    name: 'unguided, window 4, previous drafts only',
    s: { cfgScale: 1, temperature: 1, topK: 0, topP: 1, cdk: null },
    guided: false,
    window: 4,
    fanout: [1],
    sources: { lines: false, previous: true },
  },
  {
    name: 'CD-K, window 4, two candidates',
    s: { cfgScale: 1, temperature: 1, topK: 0, topP: 1, cdk: { alpha: 0.1, k: 3, tau: 1 } },
    guided: true,
    window: 4,
    fanout: [2],
  },
  {
    // Every source on, but one draft per position: Jacobi line, else previous, else the guess.
    name: 'guided, one chain per run, window 3, every line, previous drafts and the guess',
    s: { cfgScale: 1.5, temperature: 1.2, topK: 0, topP: 1, cdk: null },
    guided: true,
    window: 3,
    fanout: [3, 3],
    sources: { lines: true, previous: true },
    chain: true,
  },
];

/**
 * The mutation check's case: full-support distributions (no top-p to cut the tails where the
 * faults move mass) and three candidates at two depths, so a rejection often leaves several
 * different Jacobi lines behind.
 */
const mutationCase: Case = {
  name: 'unguided, window 3, three candidates at two depths, every line, previous drafts',
  s: { cfgScale: 1, temperature: 1, topK: 0, topP: 1, cdk: null },
  guided: false,
  window: 3,
  fanout: [3, 3],
  sources: { lines: true, previous: true },
};

/** The chi-square fit of `SAMPLES` seeded parallel samples to the exact joint. */
async function parallelFit(c: Case, fault?: SamplerFault) {
  const counts = new Map<string, number>();
  let runs = 0;
  for (let seed = 0; seed < SAMPLES; seed++) {
    const out = await parallelSample(
      c.s,
      c.guided,
      c.window,
      c.fanout,
      new Prng(seed, 1),
      c.sources,
      fault,
      c.chain,
    );
    runs += out.runs;
    const key = out.body.join('');
    counts.set(key, (counts.get(key) ?? 0) + 1);
  }
  return { ...goodnessOfFit(counts, exactJoint(c.s, c.guided), SAMPLES), runs };
}

for (const c of [...cases, mutationCase]) {
  test(`the parallel sampler's sequences follow the plain loop's distribution: ${c.name}`, async () => {
    const fit = await parallelFit(c);
    const sequential = new Map<string, number>();
    for (let seed = 0; seed < SAMPLES; seed++) {
      const plain = sequentialSample(c.s, c.guided, new Prng(seed, 2)).join('');
      sequential.set(plain, (sequential.get(plain) ?? 0) + 1);
    }
    const control = goodnessOfFit(sequential, exactJoint(c.s, c.guided), SAMPLES);
    assert.ok(
      fit.p > 0.001,
      `parallel: chi-square ${fit.stat.toFixed(1)} on ${fit.df} df, p ${fit.p}`,
    );
    assert.ok(control.p > 0.001, `plain: chi-square ${control.stat.toFixed(1)}, p ${control.p}`);
    // Fewer decoder runs than tokens: drafts were accepted, so the rule was exercised both ways.
    assert.ok(fit.runs < SAMPLES * LENGTH, `${fit.runs} runs for ${SAMPLES * LENGTH} tokens`);
  });
}

for (const fault of ['wrong-line', 'skip-residual'] as const) {
  test(`the same test rejects a sampler with the ${fault} fault (p < 1e-3)`, async () => {
    const fit = await parallelFit(mutationCase, fault);
    assert.ok(
      fit.p < 1e-3,
      `${fault}: chi-square ${fit.stat.toFixed(1)} on ${fit.df} df, p ${fit.p}: the test is too weak to catch it`,
    );
  });
}

test('greedy parallel decoding gives the greedy sequence itself', async () => {
  const s: SamplingSettings = { cfgScale: 3, temperature: 0, topK: 0, topP: 1, cdk: null };
  for (const window of [1, 2, 5]) {
    const { body } = await parallelSample(s, true, window, [2], new Prng(5, 1));
    assert.deepEqual(body, sequentialSample(s, true, new Prng(9, 1)));
  }
});

test('the same seed gives the same tokens and the same number of runs', async () => {
  const s = cases[0]!.s;
  const a = await parallelSample(s, true, 3, [2], new Prng(42, 1));
  const b = await parallelSample(s, true, 3, [2], new Prng(42, 1));
  assert.deepEqual(a, b);
});
