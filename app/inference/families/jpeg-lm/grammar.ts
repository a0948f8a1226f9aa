/**
 * The MCU grammar, the only constraint on sampling (MODELS.md §2.4): inside MCU m any data
 * token (a byte, the stuffed pair FF 00 or a merge; never a marker) or the MCU's own marker;
 * the marker alone when the MCU must close. After MCU m the one legal marker is RST(m mod 8),
 * after the last MCU only EOI. Allowed ids are ascending, as the logits pipeline's draw needs.
 */
import { isMarker } from './bpe.ts';
import type { JpegLmVocab } from './vocab.ts';

export class McuGrammar {
  /** Allowed ids while MCU m is open, by marker (nine markers: RST0..7 and EOI). */
  private readonly open = new Map<number, Int32Array>();
  private readonly dataIds: number[];

  constructor(
    private readonly vocab: JpegLmVocab,
    readonly mcus: number,
    readonly maxMcuTokens: number,
    /** Decoder context: the sequence may not outgrow it. */
    readonly context: number,
  ) {
    this.dataIds = [];
    for (let t = 0; t < vocab.bpe.size; t++)
      if (!isMarker(t)) this.dataIds.push(vocab.jpegOffset + t);
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

  /** Allowed ids at a sampled position of MCU m, ascending. */
  allowed(m: number, close: boolean): Int32Array {
    const marker = this.marker(m);
    if (close) return Int32Array.of(marker);
    let ids = this.open.get(marker);
    if (ids === undefined) {
      ids = Int32Array.from([...this.dataIds, marker]).sort();
      this.open.set(marker, ids);
    }
    return ids;
  }
}
