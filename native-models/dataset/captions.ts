/**
 * Turns Iconify icon names into captions and concept keys.
 *
 * A caption is the icon name in words ("woman golfing dark skin tone"). A concept key is the
 * caption without skin-tone words, so that holding out a concept holds out all its skin tones.
 */

const SKIN_TONE_WORDS = /\b(light|medium-light|medium|medium-dark|dark)( skin tone)\b/g;

/** Words of hyphenated names, lowercased; digits stay attached to their word ("1st"). */
export function nameToWords(name: string): string[] {
  return name
    .toLowerCase()
    .split(/[-_\s]+/)
    .filter((w) => w.length > 0);
}

/**
 * Some sets (fxemoji) run words together ("snowmanwithoutsnow"). Split such a name into known
 * words by dynamic programming: fewest pieces wins, unknown runs are costly so known words are
 * preferred, and an unsplittable name stays whole.
 */
export function segmentRunTogether(token: string, lexicon: ReadonlySet<string>): string[] {
  const n = token.length;
  const unknownCharCost = 3;
  const best: number[] = new Array<number>(n + 1).fill(Number.POSITIVE_INFINITY);
  const back: number[] = new Array<number>(n + 1).fill(-1);
  best[0] = 0;
  for (let end = 1; end <= n; end++) {
    for (let start = Math.max(0, end - 24); start < end; start++) {
      const piece = token.slice(start, end);
      const known = lexicon.has(piece) || /^\d+$/.test(piece);
      const cost = known ? 1 : unknownCharCost * piece.length;
      const total = best[start]! + cost;
      if (total < best[end]!) {
        best[end] = total;
        back[end] = start;
      }
    }
  }
  const pieces: string[] = [];
  for (let end = n; end > 0; end = back[end]!) pieces.unshift(token.slice(back[end]!, end));
  // Merge adjacent unknown single letters back together: they were one unknown word.
  const merged: string[] = [];
  for (const piece of pieces) {
    const prev = merged[merged.length - 1];
    if (prev !== undefined && !lexicon.has(prev) && !lexicon.has(piece)) {
      merged[merged.length - 1] = prev + piece;
    } else merged.push(piece);
  }
  return merged;
}

export function captionFromName(
  name: string,
  runsWordsTogether: boolean,
  lexicon: ReadonlySet<string>,
): string {
  const words = nameToWords(name);
  const out = runsWordsTogether ? words.flatMap((w) => segmentRunTogether(w, lexicon)) : words;
  return out.join(' ');
}

export function conceptKey(caption: string): string {
  return caption.replace(SKIN_TONE_WORDS, '').replace(/\s+/g, ' ').trim();
}
