/**
 * A decoder graph driven through its KV cache (docs/models.md §Decoder graph I/O): `prefill` runs
 * equal-length rows after what the cache holds (from position 0 on a fresh one), `step` appends
 * one token per row, `truncate` forgets tokens a speculative run did not accept. Every family's
 * token loop uses it.
 */
import { createKvCache, type KvCache, type KvLayout } from './kv-cache.ts';
import { treeDepths, type TokenTree } from './masks.ts';
import {
  float32Tensor,
  floatData,
  int64Tensor,
  run,
  type InferenceSession,
  type Outputs,
  type Tensor,
} from './ort.ts';

export class DecoderLogits {
  constructor(
    readonly data: Float32Array,
    readonly seq: number,
    readonly vocab: number,
  ) {}

  /** Logits of row `b` at position `t` (default: the last position of this run). */
  at(b: number, t = this.seq - 1): Float32Array {
    const start = (b * this.seq + t) * this.vocab;
    return this.data.subarray(start, start + this.vocab);
  }
}

export class CachedDecoder {
  private readonly cache: KvCache;
  /** Decoder runs so far (prefills, steps and branches): the cost a benchmark counts. */
  runs = 0;

  constructor(
    private readonly session: InferenceSession,
    kv: KvLayout,
    readonly batch: number,
    private readonly vocab: number,
  ) {
    this.cache = createKvCache(kv, batch);
  }

  /** Tokens in the cache so far. */
  get length(): number {
    return this.cache.length;
  }

  /** Forgets every cached token from `length` on. */
  truncate(length: number): void {
    this.cache.truncate(length);
  }

  /**
   * Keeps, after the first `base` cached tokens, only those at `base + offsets[j]`: the path a
   * speculative run accepted through its token tree.
   */
  select(base: number, offsets: readonly number[]): void {
    this.cache.select(base, offsets);
  }

  /**
   * Runs `tokens` (the same for every row) after the cache as a token tree (masks.ts): each sees
   * the cache and its ancestors, at the position after its parent. All are kept; `select` then
   * keeps the accepted path.
   */
  async tree(tokens: readonly number[], parents: TokenTree): Promise<DecoderLogits> {
    if (parents.length !== tokens.length || parents.some((p, i) => p >= i || p < -1))
      throw new RangeError('a token tree needs one parent per token, each before it or -1');
    const seq = tokens.length;
    const past = this.cache.length;
    const positions = treeDepths(parents).map((d) => past + d);
    const out = await this.run(
      int64Tensor(new Array<number[]>(this.batch).fill([...tokens]).flat(), [this.batch, seq]),
      int64Tensor(new Array<number[]>(this.batch).fill(positions).flat(), [this.batch, seq]),
      seq,
      true,
      parents,
    );
    this.cache.update(out, seq);
    return new DecoderLogits(floatData(out.logits!), seq, this.vocab);
  }

  async prefill(rows: readonly (readonly number[])[]): Promise<DecoderLogits> {
    const { out, seq } = await this.runRows(rows, true);
    this.cache.update(out, seq);
    return new DecoderLogits(floatData(out.logits!), seq, this.vocab);
  }

  /**
   * Runs `rows` after the cache without keeping them: the cache stays as it was, so several
   * continuations of one prefix (caption candidates to score) share one prefill.
   */
  async branch(rows: readonly (readonly number[])[]): Promise<DecoderLogits> {
    const { out, seq } = await this.runRows(rows, false);
    for (const [name, tensor] of Object.entries(out)) if (name !== 'logits') tensor.dispose?.();
    return new DecoderLogits(floatData(out.logits!), seq, this.vocab);
  }

  private async runRows(
    rows: readonly (readonly number[])[],
    keep: boolean,
  ): Promise<{ out: Outputs; seq: number }> {
    const seq = rows[0]!.length;
    if (rows.length !== this.batch || rows.some((r) => r.length !== seq)) {
      throw new RangeError(`prefill needs ${this.batch} rows of equal length`);
    }
    const past = this.cache.length;
    const out = await this.run(
      int64Tensor(rows.flat(), [this.batch, seq]),
      int64Tensor(
        rows.flatMap((r) => r.map((_, i) => past + i)),
        [this.batch, seq],
      ),
      seq,
      keep,
    );
    return { out, seq };
  }

  /** One token for every row (the same token unless `tokens` gives one per row). */
  async step(tokens: number | readonly number[]): Promise<DecoderLogits> {
    const ids =
      typeof tokens === 'number' ? new Array<number>(this.batch).fill(tokens) : [...tokens];
    const position = this.cache.length;
    const out = await this.run(
      int64Tensor(ids, [this.batch, 1]),
      int64Tensor(new Array<number>(this.batch).fill(position), [this.batch, 1]),
      1,
      true,
    );
    this.cache.update(out, 1);
    return new DecoderLogits(floatData(out.logits!), 1, this.vocab);
  }

  private async run(
    ids: Tensor,
    positions: Tensor,
    seq: number,
    keep: boolean,
    tree: TokenTree | null = null,
  ): Promise<Outputs> {
    const { feed, mask, maskWidth } = this.cache.inputs(seq, keep, tree);
    this.runs++;
    return run(this.session, {
      input_ids: ids,
      position_ids: positions,
      attention_mask: float32Tensor(mask, [this.batch, 1, seq, maskWidth]),
      ...feed,
    });
  }

  dispose(): void {
    this.cache.dispose();
  }
}
