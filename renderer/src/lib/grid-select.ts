/**
 * The Library grid's selection rules and keyboard map, as file managers have them: a click
 * selects and opens, Ctrl/Cmd+click toggles, Shift+click selects a range from the anchor (adding
 * to the selection with Ctrl/Cmd); arrows, pages, Home and End move; Space toggles, Enter opens,
 * Delete trashes the selection, S stars, Ctrl/Cmd+A selects all, Escape clears. Pure.
 */

export interface Modifiers {
  shiftKey: boolean;
  ctrlKey: boolean;
  metaKey: boolean;
}

export interface Selected {
  selection: ReadonlySet<number>;
  /** the new anchor of range selection, or undefined to keep the old one */
  anchorId: number | undefined;
  /** a plain click also opens the item */
  open: boolean;
}

/**
 * The selection after a click on `index`. `anchorIndex`: where the anchor item sits now (null
 * when there is no anchor; the clicked index when the anchor is no longer loaded).
 */
export function clickSelection(
  items: readonly { id: number }[],
  index: number,
  anchorIndex: number | null,
  selection: ReadonlySet<number>,
  mods: Modifiers,
): Selected | null {
  const item = items[index];
  if (item === undefined) return null;
  const adding = mods.ctrlKey || mods.metaKey;
  if (mods.shiftKey && anchorIndex !== null) {
    const [lo, hi] = anchorIndex < index ? [anchorIndex, index] : [index, anchorIndex];
    const next = new Set(adding ? selection : []);
    for (let i = Math.max(0, lo); i <= hi; i++) next.add(items[i]!.id);
    return { selection: next, anchorId: undefined, open: false };
  }
  if (adding) {
    const next = new Set(selection);
    if (next.has(item.id)) next.delete(item.id);
    else next.add(item.id);
    return { selection: next, anchorId: item.id, open: false };
  }
  return { selection: new Set([item.id]), anchorId: item.id, open: true };
}

const MOVES = [
  'ArrowLeft',
  'ArrowRight',
  'ArrowUp',
  'ArrowDown',
  'PageUp',
  'PageDown',
  'Home',
  'End',
];

export type GridKey =
  | { kind: 'move'; key: string }
  | { kind: 'toggle' }
  | { kind: 'open' }
  | { kind: 'delete' }
  | { kind: 'star' }
  | { kind: 'selectAll' }
  | { kind: 'clear' };

/** What a key does in the grid, given the active item (-1 for none) and the selection size. */
export function gridKey(
  e: Modifiers & { key: string },
  activeIndex: number,
  selected: number,
): GridKey | null {
  const mod = e.ctrlKey || e.metaKey;
  const key = e.key.toLowerCase();
  if (MOVES.includes(e.key)) return { kind: 'move', key: e.key };
  if (e.key === ' ' && activeIndex >= 0) return { kind: 'toggle' };
  if (e.key === 'Enter' && activeIndex >= 0) return { kind: 'open' };
  if ((e.key === 'Delete' || e.key === 'Backspace') && selected > 0) return { kind: 'delete' };
  if (key === 's' && !mod && activeIndex >= 0) return { kind: 'star' };
  if (key === 'a' && mod) return { kind: 'selectAll' };
  if (e.key === 'Escape' && selected > 0) return { kind: 'clear' };
  return null;
}
