/**
 * Janus-Pro's text-to-image loop: prefill the [cond; uncond] rows, then one code per step from
 * `gen_head` through the shared logits pipeline (guidance, temperature, top-k, top-p), the same
 * code fed to both rows through `gen_img_embeds`, exactly grid² codes, then `image_decode`.
 * The unconditional row is Janus's own: the prompt with every token but the first (<bos>) and
 * the last (<begin_of_image>) replaced by the pad token. With parallel decoding the shared
 * speculative Jacobi sampler (engine/parallel) checks a chain of draft codes per run.
 */
import type { Decoding } from '../../../common/inference-contract.ts';
import { draftSources } from '../../../common/parallel-decoding.ts';
import { DecoderLogits } from '../../engine/decoder.ts';
import { sampleToken, type SamplingSettings } from '../../engine/logits/sample.ts';
import { floatData, int64Tensor, run, type Tensor } from '../../engine/ort.ts';
import {
  jacobiDecode,
  type SpeculativeDecoder,
  type TokenGrammar,
} from '../../engine/parallel/speculative-jacobi.ts';
import type { TokenTree } from '../../engine/masks.ts';
import { Prng, PURPOSE_SAMPLE, streamId } from '../../engine/rng.ts';
import { codeEmbeds, textEmbeds } from './embeddings.ts';
import { EmbedsDecoder } from './language-model.ts';
import type { JanusModel } from './model.ts';

export interface JanusGenerateRequest {
  promptIds: number[];
  seed: number;
  imageIndex: number;
  settings: SamplingSettings;
  /** Awaited after each code; resolve false to stop before the next step. */
  afterCode?: (codes: readonly number[]) => Promise<boolean> | boolean;
  /** Codes of an interrupted run, replayed so the rest is identical. */
  resumeFrom?: readonly number[];
  /** Parallel decoding; absent = one code per language-model run. */
  decoding?: Decoding;
  /** Language-model runs this generation took, prefill included, and drafts checked. */
  stats?: { runs: number; drafted?: number; accepted?: number };
}

/**
 * The language model and gen_head as the speculative sampler's decoder. The graph builds its
 * causal mask from a 0/1 mask over past and new tokens, so the drafts of a run must be one
 * chain: a tree would let siblings see each other.
 */
class CodeChain implements SpeculativeDecoder {
  constructor(
    private readonly model: JanusModel,
    private readonly decoder: EmbedsDecoder,
  ) {}

  get length(): number {
    return this.decoder.length;
  }

  async tree(codes: readonly number[], parents: TokenTree): Promise<DecoderLogits> {
    if (parents.some((p, i) => p !== i - 1))
      throw new RangeError(
        `${this.model.manifest.id}'s language model checks one chain of draft codes per run, not a tree: decode with one candidate per position (fanout 1)`,
      );
    const embeds = await codeEmbeds(this.model, codes, this.decoder.batch);
    return this.head(await this.decoder.runAll(embeds));
  }

  /** gen_head's code logits [B, S, codebook] at every position of `hidden` [B, S, D]. */
  async head(hidden: Tensor): Promise<DecoderLogits> {
    const seq = hidden.dims[1]!;
    const out = await run(this.model.sessions.gen_head.session, {
      [this.model.hiddenName]: hidden,
    });
    hidden.dispose?.();
    return new DecoderLogits(floatData(out.logits!), seq, this.model.codebook);
  }

  select(base: number, offsets: readonly number[]): void {
    this.decoder.select(base, offsets);
  }
}

/** Any code at any of the grid's `count` positions (codes are gen_head's ids). */
function codeGrid(codebook: number, count: number): TokenGrammar<null> {
  const ids = Int32Array.from({ length: codebook }, (_, i) => i);
  return { start: null, allowed: () => ids, after: () => null, done: (_, k) => k >= count };
}

/** Janus's unconditional row: first and last prompt tokens kept, the rest padded. */
export function unconditionalRow(ids: readonly number[], pad: number): number[] {
  return ids.map((id, i) => (i === 0 || i === ids.length - 1 ? id : pad));
}

/** Codes of one image (grid², raster order), or the prefix sampled before a stop. */
export async function generateCodes(
  model: JanusModel,
  req: JanusGenerateRequest,
): Promise<number[]> {
  const guided = req.settings.cdk !== null || req.settings.cfgScale !== 1;
  const rows = [req.promptIds];
  if (guided) rows.push(unconditionalRow(req.promptIds, model.manifest.cfg.nullId));
  const decoder = new EmbedsDecoder(model, rows.length);
  const prng = new Prng(req.seed, streamId(req.imageIndex, PURPOSE_SAMPLE));
  const count = model.grid ** 2;
  const codebook = model.codebook;
  const codes: number[] = [];
  try {
    if (req.decoding !== undefined) {
      for (const code of req.resumeFrom ?? []) checkCode(code, codebook);
      if ((req.decoding.fanout ?? []).some((f) => f > 1))
        throw new RangeError(
          `${model.manifest.id}'s language model checks one chain of draft codes per run: parallel decoding takes no extra candidates here (leave fanout at 1)`,
        );
      const chain = new CodeChain(model, decoder);
      const promptLogits = await chain.head(await decoder.run(await textEmbeds(model, rows)));
      const { body, drafted, accepted } = await jacobiDecode({
        decoder: chain,
        promptLogits,
        guided,
        settings: req.settings,
        prng,
        window: req.decoding.window,
        chain: true,
        grammar: codeGrid(codebook, count),
        guess: (sofar, k) => sofar[k - model.grid] ?? null,
        sources: draftSources(req.decoding),
        ...(req.resumeFrom === undefined ? {} : { resumeFrom: req.resumeFrom }),
        afterRun: async (body) => req.afterCode === undefined || (await req.afterCode(body)),
      });
      if (req.stats !== undefined) Object.assign(req.stats, { drafted, accepted });
      return body;
    }
    let hidden = await decoder.run(await textEmbeds(model, rows));
    for (let k = 0; k < count; k++) {
      const out = await run(model.sessions.gen_head.session, { [model.hiddenName]: hidden });
      const logits = floatData(out.logits!);
      const cond = logits.subarray(0, codebook);
      const uncond = guided ? logits.subarray(codebook, 2 * codebook) : null;
      let code: number;
      if (req.resumeFrom !== undefined && k < req.resumeFrom.length) {
        prng.uniform(); // the saved code's draw is still consumed, so the counters match
        code = checkCode(req.resumeFrom[k]!, codebook);
      } else {
        code = sampleToken(cond, uncond, req.settings, prng);
      }
      codes.push(code);
      if (k === count - 1) break;
      if (req.afterCode !== undefined && (await req.afterCode(codes)) === false) break;
      hidden = await decoder.run(await codeEmbeds(model, [code], rows.length));
    }
  } finally {
    if (req.stats !== undefined) req.stats.runs = decoder.runs;
    decoder.dispose();
  }
  return codes;
}

function checkCode(code: number, codebook: number): number {
  if (!Number.isInteger(code) || code < 0 || code >= codebook)
    throw new RangeError(`saved code ${code} is outside this model's codebook`);
  return code;
}

/**
 * grid² codes -> RGB uint8 [H, W, 3] through image_decode, mapped to pixels as Janus does:
 * clip((x + 1) / 2 * 255, 0, 255), truncated to an integer.
 */
export async function decodeCodes(
  model: JanusModel,
  codes: readonly number[],
): Promise<Uint8Array> {
  const out = await run(model.sessions.image_decode.session, {
    generated_tokens: int64Tensor(codes, [1, codes.length]),
  });
  const x = floatData(out.decoded_image!);
  const { width, height } = model.manifest.image;
  const plane = width * height;
  if (x.length !== 3 * plane)
    throw new RangeError(`image_decode gave ${x.length} values for a ${width}×${height} image`);
  const rgb = new Uint8Array(plane * 3);
  for (let p = 0; p < plane; p++)
    for (let c = 0; c < 3; c++) {
      const v = Math.fround(Math.fround(x[c * plane + p]! + 1) * 127.5);
      rgb[p * 3 + c] = Math.trunc(Math.min(255, Math.max(0, v)));
    }
  return rgb;
}
