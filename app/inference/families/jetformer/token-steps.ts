/**
 * The generation loop's per-token graphs for `rows` rows, chained in place: the GMM head reads
 * the hidden state where the decoder wrote it, the decoder reads the embedding where
 * embed_image wrote it, and the head's outputs land in the same arrays every step. A token
 * step then builds no tensor but the attention mask's view and allocates nothing but the
 * cache the decoder grows (docs/models.md §jetformer). The first call of each graph lets
 * onnxruntime allocate its outputs; later calls write into those same tensors, so what a call
 * returns is overwritten by the next one.
 */
import { float32Tensor, floatData, int64Tensor, run, type Tensor } from '../../engine/ort.ts';
import type { Cache, GmmOutput, JetFormerModel } from './model.ts';

export class TokenSteps {
  /** the token fed next, [rows·d]: filled by the caller before advance() */
  readonly z: Float32Array;
  private readonly hidden: Tensor;
  private readonly zFeed: Record<string, Tensor>;
  private readonly position: BigInt64Array;
  private readonly positionIds: Tensor;
  /** a token step's mask is all zeros (it sees every key): views of one array */
  private zeros = new Float32Array(0);
  private head: Record<'mix_logits' | 'means' | 'scales', Tensor> | null = null;
  private embeds: Tensor | null = null;

  /** `last`: the last position's hidden state of each row after the prompt, [rows·D]. */
  constructor(
    private readonly model: JetFormerModel,
    private readonly rows: number,
    last: Float32Array,
    private cache: Cache,
  ) {
    const d = model.gmm.arDims;
    this.hidden = float32Tensor(last.slice(), [rows, 1, last.length / rows]);
    this.z = new Float32Array(rows * d);
    this.zFeed = { z_ar: float32Tensor(this.z, [rows, 1, d]) };
    this.position = new BigInt64Array(rows);
    this.positionIds = int64Tensor(this.position, [rows, 1]);
  }

  /** The GMM head on the last hidden state of each row. */
  async gmm(): Promise<GmmOutput> {
    const session = this.model.sessions.gmm_head.session;
    const feed = { hidden: this.hidden };
    if (this.head === null) {
      const out = await run(session, feed);
      this.head = { mix_logits: out.mix_logits!, means: out.means!, scales: out.scales! };
    } else await run(session, feed, this.head);
    return {
      logits: floatData(this.head.mix_logits),
      means: floatData(this.head.means),
      scales: floatData(this.head.scales),
    };
  }

  /** Feeds `z` (every row) to the decoder after the cache: the next gmm() reads its output. */
  async advance(): Promise<void> {
    const s = this.model.sessions;
    if (this.embeds === null)
      this.embeds = (await run(s.embed_image.session, this.zFeed)).inputs_embeds!;
    else await run(s.embed_image.session, this.zFeed, { inputs_embeds: this.embeds });
    const past = this.cache[0]!.dims[2]!;
    const width = this.rows * (past + 1);
    if (this.zeros.length < width) this.zeros = new Float32Array(2 * width);
    this.position.fill(BigInt(past));
    const feed: Record<string, Tensor> = {
      inputs_embeds: this.embeds,
      position_ids: this.positionIds,
      attention_mask: float32Tensor(this.zeros.subarray(0, width), [this.rows, 1, 1, past + 1]),
    };
    const fetches: Record<string, Tensor | null> = { hidden: this.hidden };
    const { pastNames, presentNames } = this.model;
    for (let i = 0; i < pastNames.length; i++) {
      feed[pastNames[i]!] = this.cache[i]!;
      fetches[presentNames[i]!] = null;
    }
    const out = await run(s.decoder.session, feed, fetches);
    for (let i = 0; i < presentNames.length; i++) this.cache[i] = out[presentNames[i]!]!;
  }
}
