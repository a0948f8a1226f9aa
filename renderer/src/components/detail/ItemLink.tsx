/** Clickable thumbnails of other library items: with a caption (lineage, replay), or bare with
 * a similarity score ("More like this"). */
import { formatNumber } from '../../lib/format.ts';
import { useAssets } from '../../state/assets.ts';
import { AssetImage } from '../ui.tsx';

export function ItemLink({
  id,
  onOpen,
  caption,
}: {
  id: number;
  onOpen: (id: number) => void;
  caption?: string;
}) {
  const [a] = useAssets([id]);
  return (
    <button
      type="button"
      className="item-link"
      onClick={() => onOpen(id)}
      aria-label={`Open #${id}${a ? `: ${a.title}` : ''}`}
      data-testid={`item-link-${id}`}
    >
      <span className="item-link-thumb">
        {a !== undefined && a.sha256 !== '' ? (
          <AssetImage sha256={a.sha256} alt="" thumb={a.width > 128} small={a.width <= 128} />
        ) : null}
      </span>
      <span className="item-link-text">
        <span className="ellipsis">{a?.title ?? `#${id}`}</span>
        {caption !== undefined ? <span className="muted">{caption}</span> : null}
      </span>
    </button>
  );
}

export function SimilarThumb({
  id,
  score,
  onOpen,
}: {
  id: number;
  score: number;
  onOpen: (id: number) => void;
}) {
  const [a] = useAssets([id]);
  return (
    <button
      type="button"
      className="similar-thumb"
      onClick={() => onOpen(id)}
      title={`${a?.title ?? `#${id}`} · similarity ${formatNumber(score)}`}
      aria-label={`Open ${a?.title ?? `#${id}`}, similarity ${formatNumber(score)}`}
    >
      {a !== undefined && a.sha256 !== '' ? (
        <AssetImage sha256={a.sha256} alt="" small={a.width <= 128} thumb={a.width > 128} />
      ) : null}
    </button>
  );
}
