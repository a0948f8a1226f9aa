/**
 * Turns what a user typed into an FTS5 MATCH expression that cannot be a syntax error: each
 * word becomes a quoted prefix term (`"red"* "heart"*`, all required). Quotes, parentheses,
 * AND/OR/NEAR and column filters in the input are just text. A one-letter word matches only
 * itself: as a prefix it would match nearly every item and cost a scan of the whole index.
 */
const MAX_TERMS = 16;

export function ftsMatchExpression(text: string): string | null {
  // Letters, digits and combining marks: the characters FTS5's unicode61 tokenizer keeps, so
  // nothing that could close the quotes survives.
  const words = text.normalize('NFKC').match(/[\p{L}\p{N}\p{M}]+/gu) ?? [];
  const unique = [...new Set(words.map((w) => w.toLowerCase()))].slice(0, MAX_TERMS);
  return unique.length === 0
    ? null
    : unique.map((w) => ([...w].length > 1 ? `"${w}"*` : `"${w}"`)).join(' ');
}
