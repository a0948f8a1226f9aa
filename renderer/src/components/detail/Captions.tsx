/** An item's captions: the current one and the model's suggestions (accept), conflicts, and
 * the owner's own caption (write or edit; kept over any model caption). */
import { useId, useState } from 'react';
import type { ItemDetailView } from '../../../../app/common/contract.ts';
import { invoke } from '../../bridge/index.ts';
import { formatDate } from '../../lib/format.ts';
import { reportError } from '../../state/app.ts';
import { Icon } from '../Icon.tsx';
import { Section } from './Section.tsx';

const SOURCE_LABEL = { user: 'You', model: 'Model', file: 'File' } as const;

type Caption = ItemDetailView['captions'][number];

function CaptionEntry({ c, onAccept }: { c: Caption; onAccept: (id: number) => void }) {
  return (
    <li className={`caption ${c.role}`}>
      <div className="caption-head">
        <span className={`badge ${c.role === 'current' ? 'tone-ok' : 'tone-info'}`}>
          {c.role === 'current' ? 'Current' : 'Suggestion'}
        </span>
        <span className="muted">
          {SOURCE_LABEL[c.source]}
          {c.modelId !== null ? ` · ${c.modelId}` : ''} · {formatDate(c.createdAt)}
        </span>
      </div>
      <div className="caption-text">{c.text}</div>
      {c.conflict !== null ? (
        <div className="caption-conflict">
          <Icon name="alert" size={13} /> {c.conflict}
        </div>
      ) : null}
      {c.role === 'suggestion' ? (
        <button
          type="button"
          className="btn small"
          onClick={() => onAccept(c.id)}
          data-testid="caption-accept"
        >
          <Icon name="check" size={13} /> Accept suggestion
        </button>
      ) : null}
    </li>
  );
}

function CaptionEditor({
  text,
  onText,
  onSave,
  onCancel,
}: {
  text: string;
  onText: (t: string) => void;
  onSave: () => void;
  onCancel: () => void;
}) {
  const id = useId();
  return (
    <div className="caption-edit">
      <label htmlFor={id} className="label">
        Your caption (kept over any model caption)
      </label>
      <textarea
        id={id}
        rows={3}
        value={text}
        onChange={(e) => onText(e.target.value)}
        maxLength={5000}
        data-testid="caption-edit-input"
        autoFocus
      />
      <div className="row gap">
        <button
          type="button"
          className="btn primary small"
          onClick={onSave}
          disabled={text.trim() === ''}
          data-testid="caption-save"
        >
          Save caption
        </button>
        <button type="button" className="btn small" onClick={onCancel}>
          Cancel
        </button>
      </div>
    </div>
  );
}

export function Captions({ item, reload }: { item: ItemDetailView; reload: () => void }) {
  const current = item.captions.find((c) => c.role === 'current');
  const [editing, setEditing] = useState(false);
  const [text, setText] = useState('');
  const save = async () => {
    const t = text.trim();
    if (t === '') return;
    try {
      await invoke('captions:set', { id: item.id, text: t });
      setEditing(false);
      reload();
    } catch (err) {
      reportError('Could not save the caption', err);
    }
  };
  const accept = async (captionId: number) => {
    try {
      await invoke('captions:accept', { captionId });
      reload();
    } catch (err) {
      reportError('Could not accept the suggestion', err);
    }
  };
  return (
    <Section title="Captions" count={item.captions.length}>
      {item.captions.length === 0 && !editing ? <div className="muted">No caption yet.</div> : null}
      <ul className="caption-list">
        {item.captions.map((c) => (
          <CaptionEntry key={c.id} c={c} onAccept={(id) => void accept(id)} />
        ))}
      </ul>
      {editing ? (
        <CaptionEditor
          text={text}
          onText={setText}
          onSave={() => void save()}
          onCancel={() => setEditing(false)}
        />
      ) : (
        <button
          type="button"
          className="btn small"
          onClick={() => {
            setText(current?.text ?? '');
            setEditing(true);
          }}
          data-testid="caption-edit"
        >
          <Icon name="edit" size={13} /> {current ? 'Edit caption' : 'Write a caption'}
        </button>
      )}
    </Section>
  );
}
