/**
 * The MCU grammar, the only constraint on sampling (docs/models.md §jpeg-lm MCU grammar), the twin
 * of `run_mcus` in native-models/…/jpeg_lm/reference_loop.py: inside MCU m the data tokens that
 * keep it a valid baseline MCU (entropy-grammar.ts: Huffman codes, runs, six blocks); once its six
 * blocks are complete, only its marker: RST(m mod 8) after MCU m, EOI after the last. If no data
 * token can continue (never for real data), the MCU reaches `maxMcuTokens`, or the sequence is
 * about to run out of context, the marker is forced. The marker is never allowed while the MCU is
 * incomplete otherwise. Allowed ids are ascending, as the logits pipeline's draw needs.
 */
import type { JpegCodec } from '../../../media/jpeg/index.ts';
import { isMarker } from './bpe.ts';
import { EntropyGrammar, START, type GrammarState } from './entropy-grammar.ts';
import type { JpegLmVocab } from './vocab.ts';

export class McuGrammar {
  /** Allowed model ids of the data tokens, by grammar state. */
  private readonly data = new Map<GrammarState, Int32Array>();
  /** The state at the start of every sampled MCU. */
  readonly start: GrammarState = START;

  constructor(
    private readonly vocab: JpegLmVocab,
    readonly mcus: number,
    readonly maxMcuTokens: number,
    /** Decoder context: the sequence may not outgrow it. */
    readonly context: number,
    readonly entropy: EntropyGrammar,
  ) {}

  /** The entropy grammar of a vocabulary's JPEG tokens under a codec's tables and header. */
  static entropyOf(vocab: JpegLmVocab, codec: JpegCodec): EntropyGrammar {
    const bpe = vocab.bpe;
    const bytes = Array.from({ length: bpe.size }, (_, t) =>
      isMarker(t) ? null : bpe.decode([t]),
    );
    return new EntropyGrammar(codec, bytes);
  }

  marker(m: number): number {
    return this.vocab.markerAfter(m, this.mcus);
  }

  /**
   * The marker is forced when the MCU already has `maxMcuTokens` tokens, or when the tokens
   * so far plus one marker for each MCU still open (this one included) would fill the context.
   */
  mustClose(m: number, tokensInMcu: number, sequenceLength: number): boolean {
    return tokensInMcu >= this.maxMcuTokens || sequenceLength + (this.mcus - m) >= this.context;
  }

  /**
   * Allowed model ids at a sampled position of MCU m in grammar state `state` (null: lost,
   * never for tokens the grammar allowed), ascending: the data tokens that continue the MCU,
   * or the marker alone when it must close, is complete, or nothing can continue it.
   */
  allowed(m: number, close: boolean, state: GrammarState | null): Int32Array {
    if (!close && state !== null) {
      let ids = this.data.get(state);
      if (ids === undefined) {
        const off = this.vocab.jpegOffset;
        ids = this.entropy.allowedData(state).map((t) => t + off);
        if (this.data.size >= 20_000) this.data.clear();
        this.data.set(state, ids);
      }
      if (ids.length > 0) return ids;
    }
    return Int32Array.of(this.marker(m));
  }

  /** The state after data token `token` (a model id); null once lost. */
  after(state: GrammarState | null, token: number): GrammarState | null {
    return state === null ? null : this.entropy.after(state, token - this.vocab.jpegOffset);
  }
}
