/**
 * The word-level caption tokenizer shared by every native family
 * (docs/models.md §Caption tokenizer), the twin of native-models/…/text/word_tokenizer.py:
 * lowercase, whitespace-separated words, ':' and ',' as tokens of their own, <unk> for unknown
 * words, an optional style token first, at most `maxTokens` ids.
 */

const SPLIT = /[:,]|[^\s:,]+/gu;
export const UNK = '<unk>';

export function words(text: string): string[] {
  return text.toLowerCase().match(SPLIT) ?? [];
}

export function styleToken(set: string): string {
  return `<set:${set}>`;
}

export interface WordTokenizerFile {
  kind: 'word';
  maxTokens: number;
  vocab: string[];
}

export interface PromptCheck {
  words: { text: string; known: boolean; kept: boolean }[];
  /** how many words the model reads of a prompt (its token budget less a style token) */
  budget: number;
  used: number;
}

export class WordTokenizer {
  private readonly ids: Map<string, number>;

  constructor(
    readonly vocab: readonly string[],
    readonly maxTokens: number,
  ) {
    this.ids = new Map(vocab.map((w, i) => [w, i]));
    if (!this.ids.has(UNK)) throw new Error('word tokenizer vocabulary has no <unk>');
  }

  static fromJson(data: WordTokenizerFile): WordTokenizer {
    if (data.kind !== 'word')
      throw new Error(`not a word tokenizer file (kind ${String(data.kind)})`);
    return new WordTokenizer(data.vocab, data.maxTokens);
  }

  id(token: string): number {
    return this.ids.get(token) ?? this.ids.get(UNK)!;
  }

  /** Ids of a caption; throws for a style this model does not know. */
  encode(caption: string, style: string | null = null): number[] {
    const out: number[] = [];
    if (style !== null) {
      const id = this.ids.get(styleToken(style));
      if (id === undefined) throw new Error(`this model has no style "${style}"`);
      out.push(id);
    }
    for (const w of words(caption)) out.push(this.id(w));
    return out.slice(0, this.maxTokens);
  }

  decode(ids: readonly number[]): string {
    return ids
      .map((i) => this.vocab[i] ?? UNK)
      .filter((w) => !w.startsWith('<set:'))
      .join(' ');
  }

  /**
   * What the model reads of a prompt: each word (':' and ',' included) with whether the model
   * knows it and whether it fits the `maxTokens` budget (a style token takes one place first),
   * the same rules `encode` applies. Unknown words still take a place, as <unk>.
   */
  check(caption: string, style: string | null = null): PromptCheck {
    const budget = Math.max(0, this.maxTokens - (style === null ? 0 : 1));
    const list = words(caption).map((text, i) => ({
      text,
      known: this.ids.has(text),
      kept: i < budget,
    }));
    return { words: list, budget, used: Math.min(list.length, budget) };
  }

  /** Words of a prompt this model has never seen (the prompt box underlines them). */
  unknownWords(caption: string): string[] {
    return words(caption).filter((w) => !this.ids.has(w));
  }
}
