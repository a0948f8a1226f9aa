/** One cell of the Library grid: the thumbnail, its star, rating, kind and selection marks. */
import type { ItemSummaryView } from '../../../../app/common/contract.ts';
import { assetUrl } from '../../bridge/index.ts';
import { Icon } from '../Icon.tsx';

/** The cell's name as shown under a thumbnail that has not loaded (and in its label). */
const cellTitle = (item: ItemSummaryView) => item.title || `Untitled #${item.id}`;

/**
 * What a screen reader says for a cell. It holds the words the cell shows (its title, and
 * "photo" on a photo's badge) in the order shown, so speech control finds the cell by them.
 */
function cellLabel(item: ItemSummaryView): string {
  const title = cellTitle(item);
  const kind = item.kind === 'photo' ? ' photo' : '';
  const starred = item.starred ? ', starred' : '';
  const rating = item.rating > 0 ? `, rated ${item.rating}` : '';
  return `${title}${kind}${starred}${rating}`;
}

export function GridCell({
  item,
  index,
  x,
  y,
  size,
  selected,
  active,
  multiple,
}: {
  item: ItemSummaryView;
  index: number;
  x: number;
  y: number;
  size: number;
  selected: boolean;
  active: boolean;
  /** several items are selected: selected cells show a check */
  multiple: boolean;
}) {
  const small = item.width <= 128 && item.height <= 128;
  const thumb = item.thumbSha256 ?? item.sha256;
  return (
    <div
      id={`grid-cell-${item.id}`}
      role="option"
      aria-selected={selected}
      aria-label={cellLabel(item)}
      className={`cell${selected ? ' selected' : ''}${active ? ' active' : ''}`}
      data-index={index}
      data-testid={`grid-item-${item.id}`}
      draggable
      title={item.title}
      style={{ transform: `translate(${x}px, ${y}px)`, width: size, height: size }}
    >
      <span className="cell-fallback" aria-hidden="true">
        {cellTitle(item)}
      </span>
      <img
        src={assetUrl(thumb, !small)}
        alt=""
        className={small ? 'pixelated' : undefined}
        decoding="async"
        draggable={false}
      />
      <span className={`cell-star${item.starred ? ' on' : ''}`} data-star="1" aria-hidden="true">
        <Icon name="star" size={14} filled={item.starred} />
      </span>
      {/* Spaces between the words the cell shows, so they read as words, not "titlephoto". */}
      {item.rating > 0 ? ' ' : null}
      {item.rating > 0 ? (
        <span className="cell-rating" aria-hidden="true">
          {'★'.repeat(item.rating)}
        </span>
      ) : null}
      {item.kind === 'photo' ? ' ' : null}
      {item.kind === 'photo' ? (
        <span className="cell-kind" aria-hidden="true">
          photo
        </span>
      ) : null}
      {selected && multiple ? (
        <span className="cell-check" aria-hidden="true">
          <Icon name="check" size={12} />
        </span>
      ) : null}
    </div>
  );
}
