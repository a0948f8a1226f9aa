/** An item's tags: remove one, or add several comma-separated. */
import { useId, useState } from 'react';
import type { ItemDetailView } from '../../../../app/common/contract.ts';
import { parseTags } from '../../lib/library-view.ts';
import { Icon } from '../Icon.tsx';
import { Section } from './Section.tsx';

export function Tags({
  item,
  update,
}: {
  item: ItemDetailView;
  update: (patch: { addTags?: string[]; removeTags?: string[] }) => Promise<void>;
}) {
  const [tag, setTag] = useState('');
  const id = useId();
  const add = async () => {
    const names = parseTags(tag);
    if (names.length === 0) return;
    await update({ addTags: names });
    setTag('');
  };
  return (
    <Section title="Tags" count={item.tags.length}>
      <ul className="chips" aria-label="Tags">
        {item.tags.map((t) => (
          <li key={t} className="chip">
            {t}
            <button
              type="button"
              className="chip-x"
              aria-label={`Remove tag ${t}`}
              onClick={() => void update({ removeTags: [t] })}
            >
              <Icon name="x" size={11} />
            </button>
          </li>
        ))}
      </ul>
      <form
        className="inline-form"
        onSubmit={(e) => {
          e.preventDefault();
          void add();
        }}
      >
        <label htmlFor={id} className="sr-only">
          Add tags
        </label>
        <input
          id={id}
          type="text"
          value={tag}
          placeholder="Add tags, comma-separated"
          onChange={(e) => setTag(e.target.value)}
          data-testid="tag-input"
        />
        <button
          type="submit"
          className="btn small"
          disabled={tag.trim() === ''}
          data-testid="tag-add"
        >
          Add
        </button>
      </form>
    </Section>
  );
}
