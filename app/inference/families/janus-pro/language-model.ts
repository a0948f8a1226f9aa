/**
 * The `language_model` graph driven through its KV cache (engine/kv-cache.ts, concat layout):
 * it takes input embeddings rather than token ids, a 0/1 attention mask over past and new
 * tokens, and gives hidden states for the heads. Every row sees all of its tokens.
 */
import { createKvCache, type KvCache } from '../../engine/kv-cache.ts';
import { float32Tensor, floatData, int64Tensor, run, type Tensor } from '../../engine/ort.ts';
import type { JanusModel } from './model.ts';

export class EmbedsDecoder {
  private readonly cache: KvCache;
  /** Language-model runs so far (the cost a benchmark counts). */
  runs = 0;

  constructor(
    private readonly model: JanusModel,
    readonly batch: number,
  ) {
    this.cache = createKvCache(model.manifest.graphs.language_model!.kv!, batch);
  }

  get length(): number {
    return this.cache.length;
  }

  /** Runs embeddings [B, S, D] after the cache; returns the last position's hidden states [B, 1, D]. */
  async run(embeds: Tensor): Promise<Tensor> {
    const all = await this.runAll(embeds);
    const [batch, seq, hidden] = all.dims as [number, number, number];
    const data = floatData(all);
    const last = new Float32Array(batch * hidden);
    for (let b = 0; b < batch; b++)
      last.set(data.subarray(((b + 1) * seq - 1) * hidden, (b + 1) * seq * hidden), b * hidden);
    all.dispose?.();
    return float32Tensor(last, [batch, 1, hidden]);
  }

  /**
   * Runs embeddings [B, S, D] after the cache as one causal chain (the graph builds its own
   * causal mask from the 0/1 mask, so several new tokens can only be a chain, never a tree);
   * returns every position's hidden states [B, S, D].
   */
  async runAll(embeds: Tensor): Promise<Tensor> {
    const [batch, seq] = embeds.dims as [number, number, number];
    if (batch !== this.batch) throw new RangeError(`expected ${this.batch} rows, got ${batch}`);
    const past = this.cache.length;
    const { feed } = this.cache.inputs(seq, true);
    this.runs++;
    const out = await run(this.model.sessions.language_model.session, {
      inputs_embeds: embeds,
      attention_mask: int64Tensor(new Array<number>(batch * (past + seq)).fill(1), [
        batch,
        past + seq,
      ]),
      position_ids: int64Tensor(
        Array.from({ length: batch * seq }, (_, i) => past + (i % seq)),
        [batch, seq],
      ),
      ...feed,
    });
    this.cache.update(out, seq);
    return out[this.model.hiddenName]!;
  }

  /** Keeps, after the first `base` cached tokens, only those at `base + offsets[j]`. */
  select(base: number, offsets: readonly number[]): void {
    this.cache.select(base, offsets);
  }

  dispose(): void {
    this.cache.dispose();
  }
}
