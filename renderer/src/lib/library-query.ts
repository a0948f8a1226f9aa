/**
 * The Library's filter state, the `gallery:query` request it turns into, and whether an item
 * that just changed still belongs in the current view (so a star or a delete updates the grid
 * in place instead of reloading 100,000 rows). Pure.
 */
import type { ItemDetailView, RequestOf } from '../../../app/common/contract.ts';

export interface LibraryFilters {
  text: string;
  kind: '' | 'generation' | 'photo';
  starred: boolean;
  minRating: number;
  tag: string;
  boardId: number | null;
  captioned: '' | 'yes' | 'no';
  modelId: string;
  sort: 'newest' | 'oldest' | 'adherence' | 'surprise';
  trashed: boolean;
}

export const EMPTY_FILTERS: LibraryFilters = {
  text: '',
  kind: '',
  starred: false,
  minRating: 0,
  tag: '',
  boardId: null,
  captioned: '',
  modelId: '',
  sort: 'newest',
  trashed: false,
};

export type GalleryQuery = RequestOf<'gallery:query'>;

export function buildQuery(f: LibraryFilters, limit: number, cursor: string | null): GalleryQuery {
  const q: GalleryQuery = { sort: f.sort, limit, cursor };
  const text = f.text.trim();
  if (text !== '') q.text = text;
  if (f.kind !== '') q.kind = f.kind;
  if (f.starred) q.starred = true;
  if (f.minRating > 0) q.minRating = f.minRating;
  if (f.tag.trim() !== '') q.tag = f.tag.trim();
  if (f.boardId !== null) q.boardId = f.boardId;
  if (f.captioned !== '') q.captioned = f.captioned === 'yes';
  if (f.modelId !== '') q.modelId = f.modelId;
  if (f.trashed) q.trashed = true;
  return q;
}

/** How many filters (beyond search and sort) are active, for the "Filters (n)" badge. */
export function activeFilterCount(f: LibraryFilters): number {
  return [
    f.kind !== '',
    f.starred,
    f.minRating > 0,
    f.tag.trim() !== '',
    f.boardId !== null,
    f.captioned !== '',
    f.modelId !== '',
    f.trashed,
  ].filter(Boolean).length;
}

/**
 * Whether an item still matches the filters after a change. Full-text search cannot be
 * judged here; an item that matched it before is assumed to still match.
 */
export function stillMatches(item: ItemDetailView, f: LibraryFilters): boolean {
  if (f.trashed !== (item.deletedAt !== null)) return false;
  if (f.kind !== '' && item.kind !== f.kind) return false;
  if (f.starred && !item.starred) return false;
  if (item.rating < f.minRating) return false;
  if (f.tag.trim() !== '' && !item.tags.includes(f.tag.trim())) return false;
  if (f.boardId !== null && !item.boards.some((b) => b.id === f.boardId)) return false;
  if (f.modelId !== '' && item.modelId !== f.modelId) return false;
  if (f.captioned !== '' && (f.captioned === 'yes') !== item.captions.length > 0) return false;
  return true;
}
