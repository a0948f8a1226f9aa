/**
 * Drag and drop inside the studio: library items travel as their ids under a type of our own,
 * so a drop target can tell them from files dragged in from the desktop ("Files").
 */
export const ITEMS_TYPE = 'application/x-tessera-items';

/** The part of DataTransfer these helpers use (so they run under Node's tests too). */
export interface DragData {
  readonly types: readonly string[];
  getData(type: string): string;
  setData(type: string, data: string): void;
}

export function setDraggedItems(dt: DragData, ids: readonly number[]): void {
  dt.setData(ITEMS_TYPE, JSON.stringify(ids));
  // Somewhere outside the studio, the drag reads as the items' numbers.
  dt.setData('text/plain', ids.map((id) => `#${id}`).join(' '));
}

export const carriesItems = (dt: DragData): boolean => dt.types.includes(ITEMS_TYPE);
export const carriesFiles = (dt: DragData): boolean => dt.types.includes('Files');

/** The dragged items' ids, or [] when the drag carries none (or something malformed). */
export function draggedItems(dt: DragData): number[] {
  try {
    const value: unknown = JSON.parse(dt.getData(ITEMS_TYPE));
    if (!Array.isArray(value)) return [];
    return value.filter((v): v is number => Number.isSafeInteger(v) && v > 0);
  } catch {
    return [];
  }
}
