/**
 * The retrieval memory of a `vq-ar` model (docs/models.md §vq-ar retrieval), the twin of
 * native-models/…/vq_ar/memory_file.py and retrieval.py: captioned code grids of the model's
 * training split, searched by a prompt's TF-IDF caption vector. The most relevant document is
 * prepended to both CFG rows, CM3Leon's retrieval augmentation.
 *
 * Files (hashes in the manifest's `retrieval` block):
 *   memory.json        {"kind": "vq-ar-memory", "version": 1, "documents": [[caption, set], …]}
 *   memory-codes.bin   u16 little-endian [N, grid²]
 *
 * Scores are rounded to 1e-9 before ranking and ties go to the lower index, so this sum and
 * numpy's, taken in another order, pick the same document.
 */
import type { ModelManifest } from '../../../common/model-manifest.ts';
import { UNK, words, type WordTokenizer } from '../../engine/tokenizers/word.ts';
import { ModelLoadError } from '../types.ts';

export const MEMORY_KIND = 'vq-ar-memory';
export const MEMORY_VERSION = 1;

/** One retrieved document: its place in the memory and what it shows. */
export interface MemoryDocument {
  index: number;
  caption: string;
  set: string;
}

interface SparseVector {
  ids: number[];
  weights: number[];
}

export class RetrievalMemory {
  private readonly vectors: SparseVector[];
  private readonly idf: Float64Array;

  private constructor(
    private readonly words: WordTokenizer,
    readonly captions: readonly string[],
    readonly sets: readonly string[],
    /** u16 codes [N, grid²] */
    readonly codes: Uint16Array,
    readonly gridCells: number,
  ) {
    const n = captions.length;
    const df = new Float64Array(words.vocab.length);
    const counts = captions.map((c) => this.counts(c));
    for (const count of counts) for (const id of count.keys()) df[id]! += 1;
    this.idf = df.map((d) => Math.log((1 + n) / (1 + d)) + 1);
    this.vectors = counts.map((count) => this.normalised(count));
  }

  /**
   * Parses the memory files (already read and hash-checked by the caller); any mismatch with
   * the manifest is a ModelLoadError that says to re-export.
   */
  static fromFiles(
    manifest: ModelManifest,
    words: WordTokenizer,
    memoryJson: string,
    codesBytes: Uint8Array,
  ): RetrievalMemory {
    const retrieval = manifest.retrieval!;
    const fail = (what: string) =>
      new ModelLoadError(`${manifest.id}: the retrieval memory ${what}: re-export the model`);
    let body: unknown;
    try {
      body = JSON.parse(memoryJson);
    } catch {
      throw fail('is not valid JSON');
    }
    const b = body as { kind?: unknown; version?: unknown; documents?: unknown };
    if (b.kind !== MEMORY_KIND || b.version !== MEMORY_VERSION || !Array.isArray(b.documents)) {
      throw fail(`is not a version ${MEMORY_VERSION} ${MEMORY_KIND} file`);
    }
    const docs = b.documents as unknown[];
    if (
      !docs.every(
        (d) =>
          Array.isArray(d) &&
          d.length === 2 &&
          typeof d[0] === 'string' &&
          typeof d[1] === 'string',
      )
    ) {
      throw fail('has a document that is not [caption, set]');
    }
    const [count, cells] = retrieval.codes.shape;
    if (docs.length !== count || retrieval.documents !== count) {
      throw fail(`holds ${docs.length} documents where the manifest says ${count}`);
    }
    if (codesBytes.byteLength !== count * cells * 2) {
      throw fail(`codes file has ${codesBytes.byteLength} bytes, not ${count * cells * 2}`);
    }
    const view = new DataView(codesBytes.buffer, codesBytes.byteOffset, codesBytes.byteLength);
    const codes = new Uint16Array(count * cells);
    for (let i = 0; i < codes.length; i++) codes[i] = view.getUint16(i * 2, true);
    const pairs = docs as [string, string][];
    return new RetrievalMemory(
      words,
      pairs.map((d) => d[0]),
      pairs.map((d) => d[1]),
      codes,
      cells,
    );
  }

  get size(): number {
    return this.captions.length;
  }

  /** Word-id counts of a caption's content words (no style token, no unknown word). */
  private counts(caption: string): Map<number, number> {
    const unk = this.words.id(UNK);
    const out = new Map<number, number>();
    for (const w of words(caption)) {
      const id = this.words.id(w);
      if (id !== unk) out.set(id, (out.get(id) ?? 0) + 1);
    }
    return out;
  }

  private normalised(count: Map<number, number>): SparseVector {
    const ids = [...count.keys()].sort((a, b) => a - b);
    const weights = ids.map((id) => count.get(id)! * this.idf[id]!);
    const norm = Math.sqrt(weights.reduce((s, w) => s + w * w, 0));
    return { ids, weights: norm > 0 ? weights.map((w) => w / norm) : weights };
  }

  /** The most relevant document for a prompt, or null when it shares no known word with any. */
  retrieve(prompt: string): MemoryDocument | null {
    const query = this.normalised(this.counts(prompt));
    if (query.ids.length === 0) return null;
    const weightOf = new Map(query.ids.map((id, k) => [id, query.weights[k]!]));
    let best = -1;
    let bestScore = 0;
    for (let i = 0; i < this.vectors.length; i++) {
      const v = this.vectors[i]!;
      let score = 0;
      for (let k = 0; k < v.ids.length; k++) {
        const q = weightOf.get(v.ids[k]!);
        if (q !== undefined) score += q * v.weights[k]!;
      }
      score = Math.round(score * 1e9) / 1e9;
      if (score > bestScore) {
        bestScore = score;
        best = i;
      }
    }
    return best < 0 ? null : this.document(best);
  }

  /** Document `index`, or a RangeError naming the memory's size (a recipe from elsewhere). */
  document(index: number): MemoryDocument {
    if (!Number.isInteger(index) || index < 0 || index >= this.size) {
      throw new RangeError(
        `document ${index} is not in this model's memory of ${this.size} documents`,
      );
    }
    return { index, caption: this.captions[index]!, set: this.sets[index]! };
  }

  /** Codes of document `index` in raster order. */
  documentCodes(index: number): number[] {
    return [...this.codes.subarray(index * this.gridCells, (index + 1) * this.gridCells)];
  }
}
