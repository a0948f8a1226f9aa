/**
 * The detail panel's two button rows: star, rating and delete (restore in the trash); then
 * Infill…, Reuse settings…, Remix, Replay and More like this.
 */
import type { ItemDetailView, ModelView } from '../../../../app/common/contract.ts';
import type { StoredSettings } from '../../lib/settings.ts';
import { navigate } from '../../state/app.ts';
import { Icon } from '../Icon.tsx';
import type { ItemPatch } from './useDetailItem.ts';

function RatingControl({ value, onChange }: { value: number; onChange: (v: number) => void }) {
  return (
    <div className="rating" role="radiogroup" aria-label="Rating">
      {[1, 2, 3, 4, 5].map((n) => (
        <button
          key={n}
          type="button"
          role="radio"
          aria-checked={value === n}
          aria-label={`${n} star${n === 1 ? '' : 's'}`}
          className={`rating-star ${n <= value ? 'on' : ''}`}
          onClick={() => onChange(value === n ? 0 : n)}
          title={value === n ? 'Click again to clear the rating' : `Rate ${n}`}
          data-testid={`rating-${n}`}
        >
          <Icon name="star" size={16} filled={n <= value} />
        </button>
      ))}
    </div>
  );
}

export function DetailToolbar({
  item,
  update,
  onTrash,
  onRestore,
}: {
  item: ItemDetailView;
  update: (patch: ItemPatch) => void;
  onTrash: () => void;
  onRestore: () => void;
}) {
  return (
    <div className="detail-toolbar">
      <button
        type="button"
        className={`btn icon-only ${item.starred ? 'active star-on' : ''}`}
        aria-pressed={item.starred}
        aria-label={item.starred ? 'Starred (click to unstar)' : 'Star'}
        title={item.starred ? 'Unstar (S)' : 'Star (S)'}
        onClick={() => update({ starred: !item.starred })}
        data-testid="star-toggle"
      >
        <Icon name="star" filled={item.starred} />
      </button>
      <RatingControl value={item.rating} onChange={(rating) => update({ rating })} />
      <span className="grow" />
      {item.deletedAt === null ? (
        <button
          type="button"
          className="btn small danger"
          onClick={onTrash}
          data-testid="delete-button"
        >
          <Icon name="trash" size={14} /> Delete
        </button>
      ) : (
        <button
          type="button"
          className="btn small"
          onClick={onRestore}
          data-testid="restore-button"
        >
          <Icon name="restore" size={14} /> Restore
        </button>
      )}
    </div>
  );
}

export function DetailActions({
  item,
  infillModel,
  stored,
  onReuse,
  onRemix,
  onReplay,
  onSimilar,
}: {
  item: ItemDetailView;
  infillModel: ModelView | undefined;
  stored: StoredSettings | null;
  onReuse: () => void;
  onRemix: () => void;
  onReplay: () => void;
  onSimilar: () => void;
}) {
  return (
    <div className="detail-actions">
      <button
        type="button"
        className="btn"
        disabled={infillModel === undefined || item.deletedAt !== null}
        title={
          infillModel === undefined
            ? 'No installed model can infill'
            : 'Mask a region and regenerate it'
        }
        onClick={() => navigate('infill', { infillId: item.id })}
        data-testid="infill-button"
      >
        <Icon name="infill" size={14} /> Infill…
      </button>
      <button
        type="button"
        className="btn"
        disabled={stored === null}
        title={
          stored === null
            ? 'This image has no stored settings'
            : 'Compare with Generate and apply field by field'
        }
        onClick={onReuse}
        data-testid="reuse-button"
      >
        <Icon name="reuse" size={14} /> Reuse settings…
      </button>
      <button
        type="button"
        className="btn"
        disabled={stored === null}
        title="Everything but the seed, into Generate"
        onClick={onRemix}
        data-testid="remix-button"
      >
        <Icon name="remix" size={14} /> Remix
      </button>
      <button
        type="button"
        className="btn"
        disabled={item.recipe === null}
        title={
          item.recipe === null
            ? 'Only images Tessera generated carry a recipe to replay'
            : 'Make this image again from its recipe: same model, seed and settings'
        }
        onClick={onReplay}
        data-testid="replay-button"
      >
        <Icon name="retry" size={14} /> Replay
      </button>
      <button type="button" className="btn" onClick={onSimilar} data-testid="similar-button">
        <Icon name="similar" size={14} /> More like this
      </button>
    </div>
  );
}
