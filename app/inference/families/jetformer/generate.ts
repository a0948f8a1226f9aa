/**
 * The generation loop, the TypeScript twin of native-models' reference_loop.generate: rows
 * [cond, uncond] in one batch (uncond = each caption token replaced by the null id), the prompt
 * [<bos>, caption, <eos>, <boi>] prefilled once, then per token one GMM head call, one sample
 * (guided.ts) and one decoder step on both rows. The factored dims come from the noise stream
 * (N·(C − d) normals, row-major), the flow's inverse makes the pixels.
 */
import { Prng, PURPOSE_NOISE, PURPOSE_SAMPLE, streamId } from '../../engine/rng.ts';
import { normals, sampleToken, type GmmSettings } from './guided.ts';
import type { JetFormerModel } from './model.ts';
import type { TokenState } from './state.ts';
import { TokenSteps } from './token-steps.ts';

export interface GenerateInput {
  captionIds: number[];
  seed: number;
  imageIndex: number;
  settings: GmmSettings;
  resumeFrom?: TokenState;
  /**
   * Infill: tokens whose AR dims are known (keep[i] = 1) take them instead of their sample (the
   * draws are still taken, so every token keeps its place in the sample stream).
   */
  known?: { ar: Float32Array; keep: Uint8Array };
  /** Called after each token; returning false stops the loop (cancel or pause). */
  afterToken?: (state: TokenState) => Promise<boolean>;
}

export interface Generated {
  /** [N·C] soft tokens */
  tokens: Float32Array;
  ar: Float32Array;
  components: number[];
}

/** The factored dims of every token, from the noise stream: [N·(C − d)]. */
export function factoredDims(
  model: JetFormerModel,
  seed: number,
  imageIndex: number,
): Float32Array {
  const g = model.gmm;
  const noise = new Prng(seed, streamId(imageIndex, PURPOSE_NOISE));
  return Float32Array.from(normals(noise, g.tokens * (g.tokenDim - g.arDims)));
}

/**
 * Soft tokens from the first `done` tokens' AR dims and the factored dims; tokens not yet
 * sampled are zero in every dim (the live preview's "unknown").
 */
export function softTokens(
  model: JetFormerModel,
  ar: Float32Array,
  factored: Float32Array,
  done: number,
): Float32Array {
  const { tokenDim: c, arDims: d } = model.gmm;
  const f = c - d;
  const out = new Float32Array(model.gmm.tokens * c);
  for (let i = 0; i < done; i++) {
    out.set(ar.subarray(i * d, (i + 1) * d), i * c);
    out.set(factored.subarray(i * f, (i + 1) * f), i * c + d);
  }
  return out;
}

/** Draws one token takes from the sample stream: one uniform and ⌈d/2⌉ normal pairs. */
export const drawsPerToken = (arDims: number) => 1 + Math.ceil(arDims / 2);

export async function generateTokens(
  model: JetFormerModel,
  input: GenerateInput,
): Promise<Generated | null> {
  const g = model.gmm;
  const d = g.arDims;
  const m = model.manifest;
  const sp = m.specialTokens;
  const caption = input.captionIds;
  const guided = caption.length > 0 && input.settings.cfgScale !== 1;
  const rows = [[sp.bos, ...caption, sp.eos, sp.boi!]];
  if (guided) rows.push([sp.bos, ...caption.map(() => m.cfg.nullId), sp.eos, sp.boi!]);
  const b = rows.length;
  const start = input.resumeFrom?.done ?? 0;
  const ar = input.resumeFrom?.ar.slice() ?? new Float32Array(g.tokens * d);
  const sample = new Prng(
    input.seed,
    streamId(input.imageIndex, PURPOSE_SAMPLE),
    start * drawsPerToken(d),
  );
  const prompt = await model.embedText(rows);
  let step = await model.append(prompt, b, rows[0]!.length, model.emptyCache(b));
  if (start > 0) {
    // The sampled tokens so far, the same values on both rows, fed back in one run.
    const known = new Float32Array(b * start * d);
    for (let r = 0; r < b; r++) known.set(ar.subarray(0, start * d), r * start * d);
    step = await model.append(await model.embedImage(known, b, start), b, start, step.cache);
  }
  const steps = new TokenSteps(
    model,
    b,
    lastRows(step.hidden, b, start > 0 ? start : rows[0]!.length),
    step.cache.slice(),
  );
  const components: number[] = [];
  for (let i = start; i < g.tokens; i++) {
    const drawn = sampleToken(await steps.gmm(), guided, input.settings, sample);
    const { component } = drawn;
    const dims =
      input.known?.keep[i] === 1 ? input.known.ar.subarray(i * d, (i + 1) * d) : drawn.dims;
    components.push(component);
    ar.set(dims, i * d);
    for (let r = 0; r < b; r++) steps.z.set(dims, r * d);
    await steps.advance();
    if (input.afterToken !== undefined && !(await input.afterToken({ done: i + 1, ar })))
      return null;
  }
  const tokens = softTokens(model, ar, factoredDims(model, input.seed, input.imageIndex), g.tokens);
  return { tokens, ar, components };
}

/** The last position's hidden state of each row, from [rows·seq·D]: [rows·D]. */
export function lastRows(hidden: Float32Array, rows: number, seq: number): Float32Array {
  if (seq === 1) return hidden;
  const width = hidden.length / (rows * seq);
  const out = new Float32Array(rows * width);
  for (let r = 0; r < rows; r++)
    out.set(hidden.subarray((r * seq + seq - 1) * width, (r * seq + seq) * width), r * width);
  return out;
}
