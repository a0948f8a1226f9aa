/**
 * Whether the queue panel is collapsed, given the window: wide, it is as the user last left it
 * (kept across restarts); narrow, it gives its room to the screen and collapses to its rail
 * unless the user opens it, and becomes narrow again closed. Pure.
 */

/** At or below this width the queue collapses by itself, so the screen keeps its preview. */
export const NARROW_WIDTH = 1180;

export interface QueueLayout {
  /** the user's choice on a wide window */
  collapsedWhenWide: boolean;
  narrow: boolean;
  /** the user opened the queue on this narrow window */
  openWhileNarrow: boolean;
}

export function isQueueCollapsed(l: QueueLayout): boolean {
  return l.narrow ? !l.openWhileNarrow : l.collapsedWhenWide;
}

/** The user's collapse or expand: remembered for wide windows, for this stretch when narrow. */
export function withQueueCollapsed(l: QueueLayout, collapsed: boolean): QueueLayout {
  return l.narrow ? { ...l, openWhileNarrow: !collapsed } : { ...l, collapsedWhenWide: collapsed };
}

/** The window crossed the width: becoming narrow starts collapsed again. */
export function withNarrow(l: QueueLayout, narrow: boolean): QueueLayout {
  return narrow === l.narrow ? l : { ...l, narrow, openWhileNarrow: false };
}
