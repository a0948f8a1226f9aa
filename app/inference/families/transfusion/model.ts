/**
 * A loaded `transfusion` model: its validated manifest, word tokenizer and the five graphs
 * (embed_text, patch_in, decoder, patch_out, lm_head). Files are checked against their manifest
 * hashes, and every graph's inputs and outputs against the names the loop feeds and reads, so
 * a missing, damaged or mismatched graph is named before anything runs on it.
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

export const ROLES = ['embed_text', 'patch_in', 'decoder', 'patch_out', 'lm_head'] as const;
export type Role = (typeof ROLES)[number];

const MASK_VALUE = -1e9;
const REEXPORT = 're-export the model with tessera_models.transfusion.export';

/** Past keys and values per layer, [rows, heads, length, headDim] each. */
export type PrefixCache = Tensor[];

export class TransfusionModel {
  /** The decoder's cache inputs and outputs, layer by layer (key, value): named once. */
  private readonly pastNames: readonly string[];
  private readonly presentNames: readonly string[];

  private constructor(
    readonly dir: string,
    readonly manifest: ModelManifest,
    readonly words: WordTokenizer,
    readonly sessions: Record<Role, LoadedSession>,
  ) {
    ({ past: this.pastNames, present: this.presentNames } = cacheNames(manifest));
  }

  private readonly layouts = new Map<string, { mask: Tensor; positions: Tensor }>();

  static async load(
    dir: string,
    options: { provider: Provider; threads: number } = { provider: 'cpu', threads: 2 },
  ): Promise<TransfusionModel> {
    const manifest = await readManifest(dir);
    if (manifest.family !== 'transfusion')
      throw new ModelLoadError(`${dir} holds a ${manifest.family} model, not transfusion`);
    const words = await readWords(dir, manifest);
    const sessions = await loadGraphs(dir, manifest, ROLES, options, REEXPORT);
    const model = new TransfusionModel(dir, manifest, words, sessions);
    model.checkGraphs();
    return model;
  }

  get diffusion() {
    return this.manifest.diffusion!;
  }

  /** Each graph reads and writes the tensors the loop uses; else a mismatched graph is named. */
  private checkGraphs(): void {
    const want: Record<Role, [string[], string[]]> = {
      embed_text: [['input_ids'], ['inputs_embeds']],
      patch_in: [['x_t', 't'], ['inputs_embeds']],
      decoder: [
        ['inputs_embeds', 'position_ids', 'attention_mask', ...this.pastNames],
        ['hidden', ...this.presentNames],
      ],
      patch_out: [['hidden'], ['prediction']],
      lm_head: [['hidden'], ['logits']],
    };
    checkGraphNames(this.dir, this.manifest, this.sessions, want, REEXPORT);
  }

  /** Model ids of a prompt's caption (style token first); none for an empty prompt. */
  captionIds(prompt: string, style: string | null): number[] {
    return captionIds(this.manifest, this.words, prompt, style);
  }

  emptyCache(rows: number): PrefixCache {
    return emptyCache(this.manifest, rows);
  }

  embedText(ids: number[][]): Promise<Float32Array> {
    return embedText(this.sessions.embed_text, ids);
  }

  /** x [rows·N·C] at network time t -> embeddings [rows·N·D]. */
  async patchIn(x: Float32Array, rows: number, t: number): Promise<Float32Array> {
    const d = this.diffusion;
    const out = await run(this.sessions.patch_in.session, {
      x_t: float32Tensor(x, [rows, d.patches, d.patchDim]),
      t: float32Tensor(new Float32Array(rows).fill(t), [rows]),
    });
    return floatData(out.inputs_embeds!);
  }

  /**
   * The decoder over `seq` new positions per row after the cache, with the image block's
   * (start, end) in whole-sequence positions attending both ways. Returns the hidden states and
   * the grown cache (which a denoising step drops: its image keys are stale at the next step).
   */
  async decode(
    embeds: Float32Array,
    rows: number,
    seq: number,
    cache: PrefixCache,
    image: [number, number] | null,
  ): Promise<{ hidden: Float32Array; cache: PrefixCache }> {
    const past = cache[0]!.dims[2]!;
    const { mask, positions } = this.layout(rows, seq, past, image);
    const width = embeds.length / (rows * seq);
    const feed: Record<string, Tensor> = {
      inputs_embeds: float32Tensor(embeds, [rows, seq, width]),
      position_ids: positions,
      attention_mask: mask,
    };
    this.pastNames.forEach((n, i) => (feed[n] = cache[i]!));
    const out = await run(this.sessions.decoder.session, feed);
    return {
      hidden: floatData(out.hidden!),
      cache: this.presentNames.map((n) => out[n]!),
    };
  }

  /**
   * The denoising network over the image block [start, end) against a fixed prefix cache, for
   * `rows` rows: its feeds are built once, and each graph writes its output where the next one
   * reads it, so a step allocates nothing and copies no cache out (decoder.fetch: hidden only).
   */
  imageNetwork(rows: number, cache: PrefixCache, image: [number, number]): ImageNetwork {
    const d = this.diffusion;
    const { mask, positions } = this.layout(rows, d.patches, cache[0]!.dims[2]!, image);
    const past: Record<string, Tensor> = {};
    this.pastNames.forEach((n, i) => (past[n] = cache[i]!));
    return new ImageNetwork(this, rows, { position_ids: positions, attention_mask: mask, ...past });
  }

  /**
   * The mask and positions of a decoder run, kept per shape: every denoising step of a job runs
   * the same image block against the same prefix, so they are built once, not at every step.
   */
  private layout(
    rows: number,
    seq: number,
    past: number,
    image: [number, number] | null,
  ): { mask: Tensor; positions: Tensor } {
    const key = `${rows},${seq},${past},${image?.join('-') ?? ''}`;
    const known = this.layouts.get(key);
    if (known !== undefined) return known;
    const total = past + seq;
    const mask = new Float32Array(rows * seq * total);
    for (let q = 0; q < seq; q++) {
      const qp = past + q;
      for (let k = 0; k < total; k++) {
        let ok = k <= qp;
        if (image !== null) ok ||= qp >= image[0] && qp < image[1] && k >= image[0] && k < image[1];
        if (!ok) mask[q * total + k] = MASK_VALUE;
      }
    }
    for (let b = 1; b < rows; b++) mask.copyWithin(b * seq * total, 0, seq * total);
    const positions = Array.from({ length: rows * seq }, (_, i) => past + (i % seq));
    const made = {
      mask: float32Tensor(mask, [rows, 1, seq, total]),
      positions: int64Tensor(positions, [rows, seq]),
    };
    // Only the image block's layouts repeat; a caption's one-token steps are built as they come.
    if (image !== null) {
      if (this.layouts.size >= 8) this.layouts.clear();
      this.layouts.set(key, made);
    }
    return made;
  }

  async patchOut(hidden: Float32Array, rows: number): Promise<Float32Array> {
    const d = this.diffusion;
    const width = hidden.length / (rows * d.patches);
    const out = await run(this.sessions.patch_out.session, {
      hidden: float32Tensor(hidden, [rows, d.patches, width]),
    });
    return floatData(this.checkPrediction(out.prediction!));
  }

  /** A patch_out result of the manifest's shape; else the graph does not fit its manifest. */
  checkPrediction(pred: Tensor): Tensor {
    const d = this.diffusion;
    if (pred.dims[1] !== d.patches || pred.dims[2] !== d.patchDim)
      throw new ModelLoadError(
        `${this.manifest.graphs.patch_out!.file} predicts [${pred.dims.slice(1).join(', ')}] per row, ` +
          `not the manifest's [${d.patches}, ${d.patchDim}]: re-export the model`,
      );
    return pred;
  }

  async logits(hidden: Float32Array, seq: number): Promise<Float32Array> {
    const width = hidden.length / seq;
    const out = await run(this.sessions.lm_head.session, {
      hidden: float32Tensor(hidden, [1, seq, width]),
    });
    return floatData(out.logits!);
  }

  async release(): Promise<void> {
    await Promise.all(ROLES.map((r) => this.sessions[r].session.release()));
  }
}

/**
 * One model call per denoising step: patch_in at time t on `x` (every row filled by the caller),
 * the decoder over the image block, patch_out. The first call lets onnxruntime allocate each
 * output; later calls write into those same tensors, so the prediction returned is overwritten
 * by the next call.
 */
export class ImageNetwork {
  /** the noisy patches, [rows·N·C], filled by the caller before each call */
  readonly x: Float32Array;
  private readonly t: Float32Array;
  private readonly patchInFeed: Record<string, Tensor>;
  private outputs: { embeds: Tensor; hidden: Tensor; prediction: Tensor } | null = null;

  constructor(
    private readonly model: TransfusionModel,
    rows: number,
    private readonly decoderFeed: Record<string, Tensor>,
  ) {
    const d = model.diffusion;
    this.x = new Float32Array(rows * d.patches * d.patchDim);
    this.t = new Float32Array(rows);
    this.patchInFeed = {
      x_t: float32Tensor(this.x, [rows, d.patches, d.patchDim]),
      t: float32Tensor(this.t, [rows]),
    };
  }

  /** The prediction for `x` at network time t, [rows·N·C]. */
  async predict(t: number): Promise<Float32Array> {
    const s = this.model.sessions;
    this.t.fill(t);
    const o = this.outputs;
    if (o !== null) {
      await run(s.patch_in.session, this.patchInFeed, { inputs_embeds: o.embeds });
      await run(s.decoder.session, this.decoderFeed, { hidden: o.hidden });
      await run(s.patch_out.session, { hidden: o.hidden }, { prediction: o.prediction });
      return floatData(o.prediction);
    }
    const embeds = (await run(s.patch_in.session, this.patchInFeed)).inputs_embeds!;
    this.decoderFeed.inputs_embeds = embeds;
    const hidden = (await run(s.decoder.session, this.decoderFeed, ['hidden'])).hidden!;
    const out = await run(s.patch_out.session, { hidden });
    const prediction = this.model.checkPrediction(out.prediction!);
    this.outputs = { embeds, hidden, prediction };
    return floatData(prediction);
  }
}
