/**
 * The decoder's KV cache, in either layout a manifest can declare
 * (docs/models.md §Decoder graph I/O):
 * - `concat`: the graph returns the whole cache (`present.*`, past + new) and that becomes the
 *   next run's `past_key_values.*`; the replaced tensors are released.
 * - `slots`: the cache lives in buffers of C slots that this side owns; the graph reads them in
 *   place and returns only the new tokens' keys and values, which are written into the next
 *   free slots. Nothing proportional to the cache is copied per token.
 *
 * Shape glossary: B rows, H kv heads, E head dim, P cached tokens, S new tokens, C slots.
 */
import { causalMask, slotMask, type TokenTree } from './masks.ts';
import { float32Tensor, floatData, type Feed, type Outputs, type Tensor } from './ort.ts';

export interface KvLayout {
  layers: number;
  kvHeads: number;
  headDim: number;
  pastKey: string;
  pastValue: string;
  presentKey: string;
  presentValue: string;
  cache?: 'concat' | 'slots';
}

/** What one run needs from the cache: past inputs and the additive mask [B,1,S,width]. */
export interface CacheInputs {
  feed: Feed;
  mask: Float32Array;
  maskWidth: number;
}

export interface KvCache {
  readonly length: number;
  /**
   * Inputs for `seq` new tokens per row; `keep` makes room to append them afterwards; `tree`
   * lays them out as a token tree instead of one chain (masks.ts).
   */
  inputs(seq: number, keep: boolean, tree?: TokenTree | null): CacheInputs;
  /** Takes a kept run's outputs; `added` new tokens per row. */
  update(outputs: Outputs, added: number): void;
  /** Forgets every token from `length` on: drafts a speculative run did not accept. */
  truncate(length: number): void;
  /**
   * Keeps, after the first `base` tokens, only the tokens at `base + offsets[j]` (ascending),
   * moved to `base + j`: the accepted path through a token tree.
   */
  select(base: number, offsets: readonly number[]): void;
  dispose(): void;
}

function checkTruncate(length: number, current: number): void {
  if (!Number.isInteger(length) || length < 0 || length > current) {
    throw new RangeError(`cannot cut a cache of ${current} tokens to ${length}`);
  }
}

function checkSelect(base: number, offsets: readonly number[], current: number): void {
  offsets.forEach((o, j) => {
    if (!Number.isInteger(o) || o < j || base + o >= current || (j > 0 && o <= offsets[j - 1]!))
      throw new RangeError(`cannot keep token ${base + o} of a cache of ${current} as ${base + j}`);
  });
}

/**
 * Moves rows `base + offsets[j]` to `base + j` in every [rows-apart] block of `data`, in place
 * (offsets ascend and offsets[j] >= j, so no row is overwritten before it is read).
 */
function compact(
  data: Float32Array,
  blocks: number,
  rowsApart: number,
  e: number,
  base: number,
  offsets: readonly number[],
): void {
  for (let blk = 0; blk < blocks; blk++) {
    const start = blk * rowsApart;
    offsets.forEach((o, j) => {
      if (o !== j)
        data.copyWithin((start + base + j) * e, (start + base + o) * e, (start + base + o + 1) * e);
    });
  }
}

export function createKvCache(layout: KvLayout, batch: number): KvCache {
  return layout.cache === 'slots'
    ? new SlotKvCache(layout, batch)
    : new ConcatKvCache(layout, batch);
}

function names(layout: KvLayout, i: number): { past: string; present: string }[] {
  return [
    {
      past: layout.pastKey.replace('{i}', String(i)),
      present: layout.presentKey.replace('{i}', String(i)),
    },
    {
      past: layout.pastValue.replace('{i}', String(i)),
      present: layout.presentValue.replace('{i}', String(i)),
    },
  ];
}

/**
 * The run's `name` output, checked to hold `rows` cache rows: a graph whose cache layout is not
 * the one its manifest declares would otherwise be read wrongly without a sound.
 */
function present(outputs: Outputs, name: string, rows: number, layout: KvLayout): Tensor {
  const tensor = outputs[name];
  if (tensor === undefined) throw new Error(`decoder output ${name} is missing`);
  if (tensor.dims[2] !== rows) {
    const declared = layout.cache ?? 'concat';
    throw new Error(
      `decoder output ${name} holds ${tensor.dims[2]} cache rows where ${rows} were expected: ` +
        `the graph does not keep its cache the way its manifest says (kv.cache "${declared}"); ` +
        `re-export the model or correct kv.cache in manifest.json`,
    );
  }
  return tensor;
}

class ConcatKvCache implements KvCache {
  private readonly past = new Map<string, Tensor>();
  length = 0;

  constructor(
    private readonly layout: KvLayout,
    private readonly batch: number,
  ) {
    for (let i = 0; i < layout.layers; i++) {
      for (const { past } of names(layout, i)) {
        this.past.set(
          past,
          float32Tensor(new Float32Array(0), [batch, layout.kvHeads, 0, layout.headDim]),
        );
      }
    }
  }

  inputs(seq: number, _keep: boolean, tree: TokenTree | null = null): CacheInputs {
    return {
      feed: Object.fromEntries(this.past),
      mask: causalMask(this.batch, seq, this.length, tree),
      maskWidth: this.length + seq,
    };
  }

  update(outputs: Outputs, added: number): void {
    for (let i = 0; i < this.layout.layers; i++) {
      for (const n of names(this.layout, i)) {
        const tensor = present(outputs, n.present, this.length + added, this.layout);
        this.past.get(n.past)?.dispose?.();
        this.past.set(n.past, tensor);
      }
    }
    this.length += added;
  }

  /** Copies the first `length` rows of every [B, H, P, E] tensor into a smaller one. */
  truncate(length: number): void {
    checkTruncate(length, this.length);
    if (length === this.length) return;
    const { kvHeads, headDim } = this.layout;
    const blocks = this.batch * kvHeads;
    for (const [name, tensor] of this.past) {
      const old = floatData(tensor);
      const next = new Float32Array(blocks * length * headDim);
      for (let blk = 0; blk < blocks; blk++) {
        next.set(
          old.subarray(blk * this.length * headDim, (blk * this.length + length) * headDim),
          blk * length * headDim,
        );
      }
      tensor.dispose?.();
      this.past.set(name, float32Tensor(next, [this.batch, kvHeads, length, headDim]));
    }
    this.length = length;
  }

  select(base: number, offsets: readonly number[]): void {
    checkSelect(base, offsets, this.length);
    const blocks = this.batch * this.layout.kvHeads;
    for (const tensor of this.past.values()) {
      compact(floatData(tensor), blocks, this.length, this.layout.headDim, base, offsets);
    }
    this.truncate(base + offsets.length);
  }

  dispose(): void {
    for (const t of this.past.values()) t.dispose?.();
    this.past.clear();
  }
}

/**
 * Slots grow in whole chunks, one copy per 64 tokens. A kept run of S tokens after P always
 * sees roundup(P+S, 64) slots and a branch the slots already there, as in the Python reference
 * loop (native-models common/kv_decoder.py): free slots add exact zeros, but the row length
 * changes how onnxruntime groups its sums; with this rule the same calls give the same bits
 * in both loops.
 */
export const SLOT_CHUNK = 64;

class SlotKvCache implements KvCache {
  private buffers = new Map<string, Float32Array>();
  private slots = 0;
  length = 0;

  constructor(
    private readonly layout: KvLayout,
    private readonly batch: number,
  ) {
    for (let i = 0; i < layout.layers; i++) {
      for (const { past } of names(layout, i)) this.buffers.set(past, new Float32Array(0));
    }
  }

  /** Rows of `headDim` floats per (row, head) block: blocks are `slots` rows apart. */
  private get blocks(): number {
    return this.batch * this.layout.kvHeads;
  }

  private grow(needed: number): void {
    const slots = Math.ceil(needed / SLOT_CHUNK) * SLOT_CHUNK;
    const e = this.layout.headDim;
    for (const [name, old] of this.buffers) {
      const next = new Float32Array(this.blocks * slots * e);
      for (let blk = 0; blk < this.blocks; blk++) {
        next.set(
          old.subarray(blk * this.slots * e, (blk * this.slots + this.length) * e),
          blk * slots * e,
        );
      }
      this.buffers.set(name, next);
    }
    this.slots = slots;
  }

  inputs(seq: number, keep: boolean, tree: TokenTree | null = null): CacheInputs {
    if (keep && this.length + seq > this.slots) this.grow(this.length + seq);
    const dims = [this.batch, this.layout.kvHeads, this.slots, this.layout.headDim];
    const feed: Feed = {};
    for (const [name, buffer] of this.buffers) feed[name] = float32Tensor(buffer, dims);
    return {
      feed,
      mask: slotMask(this.batch, seq, this.length, this.slots, tree),
      maskWidth: this.slots + seq,
    };
  }

  update(outputs: Outputs, added: number): void {
    const e = this.layout.headDim;
    for (let i = 0; i < this.layout.layers; i++) {
      for (const n of names(this.layout, i)) {
        const tensor = present(outputs, n.present, added, this.layout);
        const fresh = floatData(tensor);
        const buffer = this.buffers.get(n.past)!;
        for (let blk = 0; blk < this.blocks; blk++) {
          buffer.set(
            fresh.subarray(blk * added * e, (blk + 1) * added * e),
            (blk * this.slots + this.length) * e,
          );
        }
        tensor.dispose?.();
      }
    }
    this.length += added;
  }

  /** Slots past `length` are masked and the next run overwrites them: nothing to copy. */
  truncate(length: number): void {
    checkTruncate(length, this.length);
    this.length = length;
  }

  select(base: number, offsets: readonly number[]): void {
    checkSelect(base, offsets, this.length);
    const blocks = this.batch * this.layout.kvHeads;
    for (const buffer of this.buffers.values()) {
      compact(buffer, blocks, this.slots, this.layout.headDim, base, offsets);
    }
    this.length = base + offsets.length;
  }

  dispose(): void {
    this.buffers.clear();
  }
}
