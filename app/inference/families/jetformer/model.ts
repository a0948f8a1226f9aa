/**
 * A loaded `jetformer` model: its validated manifest, word tokenizer and eight graphs (the flow
 * both ways, the text and soft-token embeddings, the decoder with its cache, the GMM and text
 * heads, and the exact-likelihood graph). Files are checked against their manifest hashes,
 * every graph's inputs and outputs against the names the loop feeds and reads, and the flow's
 * inverse against its forward on one fixed image, so a missing, mismatched or broken graph is
 * named before anything is sampled from it.
 */
import type { ModelManifest } from '../../../common/model-manifest.ts';
import {
  float32Tensor,
  floatData,
  int64Tensor,
  run,
  type LoadedSession,
  type Provider,
  type Tensor,
} from '../../engine/ort.ts';
import type { WordTokenizer } from '../../engine/tokenizers/word.ts';
import { readManifest } from '../manifest-file.ts';
import {
  cacheNames,
  captionIds,
  checkGraphNames,
  embedText,
  emptyCache,
  loadGraphs,
  readWords,
} from '../shared/graph-model.ts';
import { ModelLoadError } from '../types.ts';
import { NonFiniteError } from './guided.ts';
import { binCentres } from './pixels.ts';

export const ROLES = [
  'flow_forward',
  'flow_inverse',
  'embed_text',
  'embed_image',
  'decoder',
  'gmm_head',
  'text_head',
  'score',
] as const;
export type Role = (typeof ROLES)[number];

const MASK_VALUE = -1e9;
/** The largest |x − inverse(forward(x))| a sound flow shows at load (export checks 1e-4). */
export const ROUND_TRIP_TOLERANCE = 1e-3;
const REEXPORT = 're-export the model with tessera_models.jetformer.export';

/** Past keys and values per layer, [rows, heads, length, headDim] each. */
export type Cache = Tensor[];

/** One GMM head call on the last position of each row: [rows·K], [rows·K·d] twice. */
export interface GmmOutput {
  logits: Float32Array;
  means: Float32Array;
  scales: Float32Array;
}

export class JetFormerModel {
  /** The decoder's cache inputs and outputs, layer by layer (key, value): named once. */
  readonly pastNames: readonly string[];
  readonly presentNames: readonly string[];

  private constructor(
    readonly dir: string,
    readonly manifest: ModelManifest,
    readonly words: WordTokenizer,
    readonly sessions: Record<Role, LoadedSession>,
  ) {
    ({ past: this.pastNames, present: this.presentNames } = cacheNames(manifest));
  }

  static async load(
    dir: string,
    options: { provider: Provider; threads: number } = { provider: 'cpu', threads: 2 },
  ): Promise<JetFormerModel> {
    const manifest = await readManifest(dir);
    if (manifest.family !== 'jetformer')
      throw new ModelLoadError(`${dir} holds a ${manifest.family} model, not jetformer`);
    if (manifest.gmm === undefined)
      throw new ModelLoadError(`${dir}'s manifest has no "gmm" block: ${REEXPORT}`);
    const words = await readWords(dir, manifest);
    const sessions = await loadGraphs(dir, manifest, ROLES, options, REEXPORT);
    const model = new JetFormerModel(dir, manifest, words, sessions);
    model.checkGraphs();
    await model.checkFlowRoundTrip();
    return model;
  }

  get gmm() {
    return this.manifest.gmm!;
  }

  private checkGraphs(): void {
    const want: Record<Role, [string[], string[]]> = {
      flow_forward: [['image'], ['z', 'logdet']],
      flow_inverse: [['z'], ['image']],
      embed_text: [['input_ids'], ['inputs_embeds']],
      embed_image: [['z_ar'], ['inputs_embeds']],
      decoder: [
        ['inputs_embeds', 'position_ids', 'attention_mask', ...this.pastNames],
        ['hidden', ...this.presentNames],
      ],
      gmm_head: [['hidden'], ['mix_logits', 'means', 'scales']],
      text_head: [['hidden'], ['logits']],
      score: [['image', 'prompt_ids'], ['bits']],
    };
    checkGraphNames(this.dir, this.manifest, this.sessions, want, REEXPORT);
  }

  /**
   * The flow on one fixed picture (a smooth gradient, every level in range) and back: a flow
   * whose inverse graph does not undo its forward graph would sample pictures that have nothing
   * to do with the likelihoods it reports.
   */
  private async checkFlowRoundTrip(): Promise<void> {
    const { width, height } = this.manifest.image;
    const rgb = new Uint8Array(width * height * 3);
    for (let i = 0; i < rgb.length; i++) rgb[i] = (i * 37 + (i >> 5) * 11) & 0xff;
    const x = binCentres(rgb);
    const { z } = await this.encode(x);
    const back = await this.decode(z);
    let worst = 0;
    for (let i = 0; i < x.length; i++) worst = Math.max(worst, Math.abs(back[i]! - x[i]!));
    if (!(worst <= ROUND_TRIP_TOLERANCE))
      throw new ModelLoadError(
        `the flow in ${this.dir} does not invert: ${this.manifest.graphs.flow_inverse!.file} ` +
          `misses ${this.manifest.graphs.flow_forward!.file}'s input by ${worst.toPrecision(3)} ` +
          `(at most ${ROUND_TRIP_TOLERANCE} is sound); the two graphs come from different ` +
          `weights or one is damaged: ${REEXPORT}`,
      );
  }

  /** Model ids of a prompt's caption (style token first); none for an empty prompt. */
  captionIds(prompt: string, style: string | null): number[] {
    return captionIds(this.manifest, this.words, prompt, style);
  }

  emptyCache(rows: number): Cache {
    return emptyCache(this.manifest, rows);
  }

  /** One image in [-1, 1] (H·W·3, channels last) -> soft tokens [N·C] and its log-determinant. */
  async encode(x: Float32Array): Promise<{ z: Float32Array; logdet: number }> {
    const { width, height } = this.manifest.image;
    const out = await run(this.sessions.flow_forward.session, {
      image: float32Tensor(x, [1, height, width, 3]),
    });
    return { z: floatData(out.z!), logdet: floatData(out.logdet!)[0]! };
  }

  /**
   * Soft tokens [N·C] -> the unclipped image (H·W·3). A NaN or infinite pixel is refused: it
   * would otherwise be quantised to a plausible-looking black or white.
   */
  async decode(z: Float32Array): Promise<Float32Array> {
    const g = this.gmm;
    const out = await run(this.sessions.flow_inverse.session, {
      z: float32Tensor(z, [1, g.tokens, g.tokenDim]),
    });
    const image = floatData(out.image!);
    if (!image.every(Number.isFinite))
      throw new NonFiniteError("the flow's inverse returned non-finite pixels");
    return image;
  }

  embedText(ids: number[][]): Promise<Float32Array> {
    return embedText(this.sessions.embed_text, ids);
  }

  /** AR dims [rows·S·d] -> embeddings [rows·S·D]. */
  async embedImage(zAr: Float32Array, rows: number, seq: number): Promise<Float32Array> {
    const out = await run(this.sessions.embed_image.session, {
      z_ar: float32Tensor(zAr, [rows, seq, this.gmm.arDims]),
    });
    return floatData(out.inputs_embeds!);
  }

  /** The decoder over `seq` unpadded positions per row right after the cache (causal). */
  async append(
    embeds: Float32Array,
    rows: number,
    seq: number,
    cache: Cache,
  ): Promise<{ hidden: Float32Array; cache: Cache }> {
    const past = cache[0]!.dims[2]!;
    const total = past + seq;
    // A token step (seq 1) sees every key: its mask is all zeros and its position one number.
    const mask = new Float32Array(rows * seq * total);
    if (seq > 1) {
      for (let q = 0; q < seq; q++)
        mask.fill(MASK_VALUE, q * total + past + q + 1, (q + 1) * total);
      for (let b = 1; b < rows; b++) mask.copyWithin(b * seq * total, 0, seq * total);
    }
    const positions = new BigInt64Array(rows * seq);
    for (let i = 0; i < positions.length; i++) positions[i] = BigInt(past + (i % seq));
    const width = embeds.length / (rows * seq);
    const feed: Record<string, Tensor> = {
      inputs_embeds: float32Tensor(embeds, [rows, seq, width]),
      position_ids: int64Tensor(positions, [rows, seq]),
      attention_mask: float32Tensor(mask, [rows, 1, seq, total]),
    };
    const names = this.pastNames;
    for (let i = 0; i < names.length; i++) feed[names[i]!] = cache[i]!;
    const out = await run(this.sessions.decoder.session, feed);
    return { hidden: floatData(out.hidden!), cache: this.presentNames.map((n) => out[n]!) };
  }

  /** The GMM head on one hidden state per row ([rows·D]). */
  async gmmHead(last: Float32Array, rows: number): Promise<GmmOutput> {
    const out = await run(this.sessions.gmm_head.session, {
      hidden: float32Tensor(last, [rows, 1, last.length / rows]),
    });
    return {
      logits: floatData(out.mix_logits!),
      means: floatData(out.means!),
      scales: floatData(out.scales!),
    };
  }

  async textLogits(hidden: Float32Array, seq: number): Promise<Float32Array> {
    const out = await run(this.sessions.text_head.session, {
      hidden: float32Tensor(hidden, [1, seq, hidden.length / seq]),
    });
    return floatData(out.logits!);
  }

  /** Exact bits per sub-pixel of an image in [-1, 1] after a text-first prompt. */
  async scoreBits(x: Float32Array, promptIds: number[]): Promise<number> {
    const { width, height } = this.manifest.image;
    const out = await run(this.sessions.score.session, {
      image: float32Tensor(x, [1, height, width, 3]),
      prompt_ids: int64Tensor(promptIds, [1, promptIds.length]),
    });
    return floatData(out.bits!)[0]!;
  }

  async release(): Promise<void> {
    await Promise.all(ROLES.map((r) => this.sessions[r].session.release()));
  }
}
