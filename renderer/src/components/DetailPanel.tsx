/**
 * The Library's detail panel (`gallery:get`): the image, star and rating, the full recipe,
 * captions (suggestion vs current, conflicts, accept, edit), tags, boards, lineage, "more like
 * this", Reuse settings (a per-field diff), Remix, Replay, Infill…, and delete to trash /
 * restore.
 */
import { useCallback, useEffect, useId, useMemo, useState, type ReactNode } from 'react';
import type { ItemDetailView, ResponseOf } from '../../../app/common/contract.ts';
import { invoke } from '../bridge/index.ts';
import { formatBytes, formatDate, formatNumber } from '../lib/format.ts';
import {
  randomSeed,
  remixSettings,
  storedFromForeign,
  storedFromRecipe,
  type StoredSettings,
} from '../lib/settings.ts';
import { navigate, reportError, settingsStore, toast } from '../state/app.ts';
import { useAssets } from '../state/assets.ts';
import { jobsStore, refreshJobs } from '../state/jobs.ts';
import { libraryStore, patchItem, removeFromView } from '../state/library.ts';
import { canDo, hasMemory, modelsStore } from '../state/models.ts';
import { useStore } from '../state/store.ts';
import { createBoard, loadBoards, useBoards } from '../state/boards.ts';
import { Icon } from './Icon.tsx';
import { ReuseDialog } from './ReuseDialog.tsx';
import { AssetImage, Callout, StatusBadge } from './ui.tsx';

type Lineage = ResponseOf<'gallery:lineage'>;

function Section({
  title,
  children,
  count,
}: {
  title: string;
  children: ReactNode;
  count?: number;
}) {
  return (
    <section className="detail-section">
      <h3 className="section-label">
        {title}
        {count !== undefined && count > 0 ? <span className="count-pill">{count}</span> : null}
      </h3>
      {children}
    </section>
  );
}

/** A clickable thumbnail of another library item (lineage, similar). */
function ItemLink({
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

function RecipeTable({ item }: { item: ItemDetailView }) {
  const r = item.recipe;
  if (r === null) return null;
  const s = r.sampling;
  const rows: [string, ReactNode][] = [
    ['Task', r.task],
    ['Model', r.modelId],
    [
      'Model hash',
      <code key="h" title={r.modelSha256}>
        {r.modelSha256.slice(0, 12)}…
      </code>,
    ],
    ['Family', r.family],
    ['Prompt', r.prompt],
    [
      'Negative prompt',
      r.negativePrompt === '' ? <span className="muted">(none)</span> : r.negativePrompt,
    ],
    ['Style', r.style ?? <span className="muted">(any)</span>],
  ];
  // The training emoji a model with a retrieval memory was given as a reference.
  if (r.retrieval !== undefined)
    rows.push([
      'Reference',
      <span
        key="ref"
        title={`Memory document #${r.retrieval.index}`}
        data-testid="recipe-reference"
      >
        {r.retrieval.caption} ({r.retrieval.set})
      </span>,
    ]);
  rows.push(
    ['Seed', r.seed],
    ['Batch index', r.imageIndex],
    ['Guidance (CFG)', formatNumber(s.cfgScale)],
    ['Temperature', formatNumber(s.temperature)],
    ['Top-k', s.topK === 0 ? '0 (off)' : s.topK],
    ['Top-p', formatNumber(s.topP)],
    ['CD-K', s.cdk === null ? 'off' : `α ${s.cdk.alpha}, k ${s.cdk.k}, τ ${s.cdk.tau}`],
    ['Steps', r.steps],
    ['Size', `${r.width}×${r.height}`],
    ['Provider', r.provider],
    ['PRNG', r.prngVersion],
    ['Pipeline', r.pipelineVersion],
    [
      'Tokens hash',
      <code key="t" title={r.tokensSha256}>
        {r.tokensSha256.slice(0, 12)}…
      </code>,
    ],
  );
  if (r.parent !== null) {
    const inLibrary = item.parents.some((p) => p.op === 'infill');
    rows.push([
      'Infill source',
      <span key="s">
        {inLibrary ? null : <span className="muted">an outside file · </span>}
        <code title={r.parent.sha256}>{r.parent.sha256.slice(0, 12)}…</code>
      </span>,
    ]);
    rows.push(['Infill feather', `${r.parent.featherPx} px`]);
  }
  if (r.replayOf !== undefined)
    rows.push([
      'Replay of',
      <code key="r" title={r.replayOf}>
        {r.replayOf.slice(0, 12)}…
      </code>,
    ]);
  if (r.selfScore !== null)
    rows.push([
      'Self-caption score',
      `${formatNumber(r.selfScore.logProbPerToken)} log p/token (best of ${r.selfScore.candidates})`,
    ]);
  return (
    <table className="kv" data-testid="recipe-table">
      <tbody>
        {rows.map(([k, v]) => (
          <tr key={k}>
            <th scope="row">{k}</th>
            <td>{v}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

const SOURCE_LABEL = { user: 'You', model: 'Model', file: 'File' } as const;

function Captions({ item, reload }: { item: ItemDetailView; reload: () => void }) {
  const current = item.captions.find((c) => c.role === 'current');
  const [editing, setEditing] = useState(false);
  const [text, setText] = useState('');
  const editId = useId();
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
          <li key={c.id} className={`caption ${c.role}`}>
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
                onClick={() => void accept(c.id)}
                data-testid="caption-accept"
              >
                <Icon name="check" size={13} /> Accept suggestion
              </button>
            ) : null}
          </li>
        ))}
      </ul>
      {editing ? (
        <div className="caption-edit">
          <label htmlFor={editId} className="label">
            Your caption (kept over any model caption)
          </label>
          <textarea
            id={editId}
            rows={3}
            value={text}
            onChange={(e) => setText(e.target.value)}
            maxLength={5000}
            data-testid="caption-edit-input"
            autoFocus
          />
          <div className="row gap">
            <button
              type="button"
              className="btn primary small"
              onClick={() => void save()}
              disabled={text.trim() === ''}
              data-testid="caption-save"
            >
              Save caption
            </button>
            <button type="button" className="btn small" onClick={() => setEditing(false)}>
              Cancel
            </button>
          </div>
        </div>
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

function Tags({
  item,
  update,
}: {
  item: ItemDetailView;
  update: (patch: { addTags?: string[]; removeTags?: string[] }) => Promise<void>;
}) {
  const [tag, setTag] = useState('');
  const id = useId();
  const add = async () => {
    const names = tag
      .split(',')
      .map((t) => t.trim())
      .filter((t) => t !== '' && t.length <= 100);
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

function Boards({ item, reload }: { item: ItemDetailView; reload: () => void }) {
  const boards = useBoards();
  const id = useId();
  const [creating, setCreating] = useState(false);
  const [name, setName] = useState('');
  const add = async (boardId: number) => {
    try {
      await invoke('boards:add', { boardId, ids: [item.id] });
      void loadBoards();
      reload();
    } catch (err) {
      reportError('Could not add to the board', err);
    }
  };
  const remove = async (boardId: number) => {
    try {
      await invoke('boards:remove', { boardId, ids: [item.id] });
      void loadBoards();
      reload();
    } catch (err) {
      reportError('Could not remove from the board', err);
    }
  };
  const available = boards.filter((b) => !item.boards.some((x) => x.id === b.id));
  return (
    <Section title="Boards" count={item.boards.length}>
      <ul className="chips" aria-label="Boards">
        {item.boards.map((b) => (
          <li key={b.id} className="chip board">
            <Icon name="board" size={12} /> {b.name}
            <button
              type="button"
              className="chip-x"
              aria-label={`Remove from board ${b.name}`}
              onClick={() => void remove(b.id)}
            >
              <Icon name="x" size={11} />
            </button>
          </li>
        ))}
      </ul>
      {creating ? (
        <form
          className="inline-form"
          onSubmit={(e) => {
            e.preventDefault();
            void (async () => {
              const boardId = await createBoard(name.trim());
              if (boardId !== null) await add(boardId);
              setCreating(false);
              setName('');
            })();
          }}
        >
          <label htmlFor={`${id}-new`} className="sr-only">
            New board name
          </label>
          <input
            id={`${id}-new`}
            type="text"
            value={name}
            placeholder="New board name"
            onChange={(e) => setName(e.target.value)}
            maxLength={100}
            autoFocus
            data-testid="board-new-name"
          />
          <button type="submit" className="btn small" disabled={name.trim() === ''}>
            Create
          </button>
          <button type="button" className="btn small ghost" onClick={() => setCreating(false)}>
            Cancel
          </button>
        </form>
      ) : (
        <div className="inline-form">
          <label htmlFor={id} className="sr-only">
            Add to board
          </label>
          <select
            id={id}
            value=""
            onChange={(e) => {
              if (e.target.value !== '') void add(Number(e.target.value));
            }}
            data-testid="board-add"
          >
            <option value="">Add to board…</option>
            {available.map((b) => (
              <option key={b.id} value={b.id}>
                {b.name} ({b.count})
              </option>
            ))}
          </select>
          <button
            type="button"
            className="btn small"
            onClick={() => setCreating(true)}
            data-testid="board-create"
          >
            <Icon name="plus" size={13} /> New
          </button>
        </div>
      )}
    </Section>
  );
}

/** The family tree around `selfId`: ancestors above, descendants below, each clickable. */
export function LineageList({
  selfId,
  lineage,
  onOpen,
}: {
  selfId: number;
  lineage: Lineage;
  onOpen: (id: number) => void;
}) {
  const nodes = useMemo(() => {
    const seen = new Set<number>();
    return lineage.filter((n) => (seen.has(n.id) ? false : (seen.add(n.id), true)));
  }, [lineage]);
  const minDepth = nodes.reduce((m, n) => Math.min(m, n.depth), 0);
  return (
    <ol
      className="lineage"
      data-testid="lineage-list"
      aria-label="Lineage: ancestors, this image, descendants"
    >
      {nodes.map((n) => (
        <li
          key={n.id}
          style={{ paddingLeft: (n.depth - minDepth) * 14 }}
          className={n.id === selfId ? 'self' : ''}
          data-testid={`lineage-${n.id}`}
        >
          {n.id === selfId ? (
            <div className="lineage-self">
              <span className="badge tone-info">This image</span>
              <span className="muted">#{n.id}</span>
              {n.op !== null && n.depth === 0 ? (
                <span className="muted">
                  · {n.op} of #{n.parentId}
                </span>
              ) : null}
            </div>
          ) : (
            <ItemLink
              id={n.id}
              onOpen={onOpen}
              caption={
                n.depth < 0
                  ? `${n.depth === -1 ? 'parent' : 'ancestor'} #${n.id}${n.op !== null ? ` · ${n.op} of #${n.parentId}` : ''}`
                  : `${n.depth === 1 ? 'child' : 'descendant'} #${n.id} · ${n.op ?? 'derived'} of #${n.parentId}`
              }
            />
          )}
        </li>
      ))}
    </ol>
  );
}

function LineageSection({
  item,
  lineage,
  onOpen,
}: {
  item: ItemDetailView;
  lineage: Lineage | null;
  onOpen: (id: number) => void;
}) {
  const others =
    lineage === null ? 0 : new Set(lineage.map((n) => n.id).filter((id) => id !== item.id)).size;
  return (
    <Section title="Lineage" count={others}>
      {lineage === null ? <div className="muted">Reading…</div> : null}
      {lineage !== null && others === 0 && item.recipe?.parent != null ? (
        <div className="muted" data-testid="lineage-external">
          Infilled from an outside file (sha256 {item.recipe.parent.sha256.slice(0, 12)}…) that is
          not in the library; the recipe keeps its hash.
        </div>
      ) : null}
      {lineage !== null && others === 0 && item.recipe?.parent == null ? (
        <div className="muted">
          No parents or children: this image was not infilled from or into another.
        </div>
      ) : null}
      {lineage !== null ? <LineageList selfId={item.id} lineage={lineage} onOpen={onOpen} /> : null}
    </Section>
  );
}

/** Where a replay queued from this panel stands, and the image it made. */
function ReplayStatus({ jobId, onOpen }: { jobId: string; onOpen: (id: number) => void }) {
  const job = useStore(jobsStore, (s) => s.jobs.find((j) => j.id === jobId));
  const resultId = job?.status === 'completed' ? job.assetIds[0] : undefined;
  return (
    <Section title="Replay">
      <div data-testid="replay-status" aria-live="polite">
        {job === undefined ? <div className="muted">Queued…</div> : null}
        {job !== undefined && resultId === undefined ? (
          <div className="stage-status-line">
            <StatusBadge status={job.status} />
            <span className="muted">
              {job.status === 'failed' ? 'The replay failed' : 'Making it again from its recipe…'}
            </span>
          </div>
        ) : null}
        {job?.error != null ? <Callout tone="error">{job.error.message}</Callout> : null}
        {resultId !== undefined ? (
          <div data-testid="replay-result">
            <ItemLink id={resultId} onOpen={onOpen} caption={job?.summary ?? undefined} />
          </div>
        ) : null}
      </div>
    </Section>
  );
}

export function DetailPanel({
  id,
  onOpen,
  onClose,
}: {
  id: number;
  onOpen: (id: number) => void;
  onClose: () => void;
}) {
  const [item, setItem] = useState<ItemDetailView | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [lineage, setLineage] = useState<Lineage | null>(null);
  const [similar, setSimilar] = useState<{ id: number; score: number }[] | null>(null);
  const [reuseOpen, setReuseOpen] = useState(false);
  const [replayJobId, setReplayJobId] = useState<string | null>(null);
  const changedTick = useStore(libraryStore, (s) => s.changedTick);
  const lastChanged = useStore(libraryStore, (s) => s.lastChanged);
  const models = useStore(modelsStore, (s) => s.models);

  const load = useCallback(async () => {
    try {
      const [detail, tree] = await Promise.all([
        invoke('gallery:get', { id }),
        invoke('gallery:lineage', { id }).catch(() => null),
      ]);
      setItem(detail);
      setLineage(tree);
      setError(null);
    } catch (err) {
      setError(err instanceof Error ? err.message : String(err));
    }
  }, [id]);

  useEffect(() => {
    setItem(null);
    setLineage(null);
    setSimilar(null);
    setError(null);
    setReplayJobId(null);
    void load();
  }, [load]);

  useEffect(() => {
    if (changedTick > 0 && lastChanged.includes(id)) void load();
  }, [changedTick, lastChanged, id, load]);

  const stored: StoredSettings | null = useMemo(() => {
    if (item === null) return null;
    if (item.recipe !== null) {
      const model = models.find((m) => m.id === item.recipe!.modelId);
      return storedFromRecipe(item.recipe, model !== undefined && hasMemory(model));
    }
    if (item.foreign !== null) return storedFromForeign(item.foreign);
    return null;
  }, [item, models]);

  if (error !== null)
    return (
      <aside className="detail-panel" data-testid="detail-panel" aria-label="Item details">
        <header className="panel-head">
          <h2>Item #{id}</h2>
          <button
            type="button"
            className="btn icon-only ghost"
            aria-label="Close details"
            onClick={onClose}
          >
            <Icon name="x" />
          </button>
        </header>
        <div className="pad">
          <Callout tone="error" title="Could not open this item">
            {error}
          </Callout>
        </div>
      </aside>
    );
  if (item === null)
    return (
      <aside
        className="detail-panel"
        data-testid="detail-panel"
        aria-label="Item details"
        aria-busy="true"
      >
        <header className="panel-head">
          <h2>Item #{id}</h2>
        </header>
        <div className="pad muted">Loading…</div>
      </aside>
    );

  const update = async (patch: {
    starred?: boolean;
    rating?: number;
    addTags?: string[];
    removeTags?: string[];
  }) => {
    const optimistic = {
      ...item,
      ...(patch.starred !== undefined ? { starred: patch.starred } : {}),
      ...(patch.rating !== undefined ? { rating: patch.rating } : {}),
    };
    setItem(optimistic);
    patchItem(optimistic);
    try {
      await invoke('gallery:update', { ids: [item.id], ...patch });
      if (patch.addTags || patch.removeTags) void load();
    } catch (err) {
      setItem(item);
      patchItem(item);
      reportError('Could not update the item', err);
    }
  };

  const trash = async () => {
    try {
      await invoke('gallery:delete', { ids: [item.id] });
      removeFromView([item.id]);
      onClose();
      toast(`Moved “${item.title || `#${item.id}`}” to the trash`, {
        label: 'Undo',
        run: () =>
          void invoke('gallery:restore', { ids: [item.id] }).catch((err: unknown) =>
            reportError('Could not restore the item', err),
          ),
      });
    } catch (err) {
      reportError('Could not move the item to the trash', err);
    }
  };
  const restore = async () => {
    try {
      await invoke('gallery:restore', { ids: [item.id] });
      removeFromView([item.id]);
      onClose();
      toast(`Restored “${item.title || `#${item.id}`}”`);
    } catch (err) {
      reportError('Could not restore the item', err);
    }
  };
  const moreLikeThis = async () => {
    try {
      setSimilar(await invoke('gallery:similar', { id: item.id, limit: 24 }));
    } catch (err) {
      reportError('Could not find similar images', err);
    }
  };
  const replay = async () => {
    try {
      const { jobId } = await invoke('gallery:replay', { id: item.id });
      setReplayJobId(jobId);
      void refreshJobs();
    } catch (err) {
      reportError(`Could not replay #${item.id}`, err);
    }
  };
  const remix = () => {
    if (stored === null) return;
    settingsStore.set((s) => remixSettings(s, stored, randomSeed()));
    navigate('generate');
    toast(`Remixing #${item.id}: same settings, new seed`);
  };

  const modelId = item.recipe?.modelId ?? null;
  const infillModel =
    models.find((m) => m.id === modelId && canDo(m, 'infill') && m.usable) ??
    models.find((m) => canDo(m, 'infill') && m.usable);
  const small = item.width <= 128 && item.height <= 128;

  return (
    <aside
      className="detail-panel"
      data-testid="detail-panel"
      data-item-id={item.id}
      aria-labelledby="detail-title"
    >
      <header className="panel-head">
        <h2 id="detail-title" className="ellipsis" title={item.title}>
          {item.title || `Item #${item.id}`}
        </h2>
        <button
          type="button"
          className="btn icon-only ghost"
          aria-label="Close details"
          onClick={onClose}
          data-testid="detail-close"
        >
          <Icon name="x" />
        </button>
      </header>
      <div className="detail-scroll">
        <div className={`detail-image ${small ? 'tiny' : ''}`}>
          <AssetImage sha256={item.sha256} alt={item.title} small={small} />
        </div>
        {item.deletedAt !== null ? (
          <Callout tone="warn" title="In the trash">
            Deleted {formatDate(item.deletedAt)}. Restore it to keep it; the trash is emptied after
            30 days.
          </Callout>
        ) : null}
        <div className="detail-toolbar">
          <button
            type="button"
            className={`btn icon-only ${item.starred ? 'active star-on' : ''}`}
            aria-pressed={item.starred}
            aria-label={item.starred ? 'Starred (click to unstar)' : 'Star'}
            title={item.starred ? 'Unstar (S)' : 'Star (S)'}
            onClick={() => void update({ starred: !item.starred })}
            data-testid="star-toggle"
          >
            <Icon name="star" filled={item.starred} />
          </button>
          <RatingControl value={item.rating} onChange={(rating) => void update({ rating })} />
          <span className="grow" />
          {item.deletedAt === null ? (
            <button
              type="button"
              className="btn small danger"
              onClick={() => void trash()}
              data-testid="delete-button"
            >
              <Icon name="trash" size={14} /> Delete
            </button>
          ) : (
            <button
              type="button"
              className="btn small"
              onClick={() => void restore()}
              data-testid="restore-button"
            >
              <Icon name="restore" size={14} /> Restore
            </button>
          )}
        </div>
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
            onClick={() => setReuseOpen(true)}
            data-testid="reuse-button"
          >
            <Icon name="reuse" size={14} /> Reuse settings…
          </button>
          <button
            type="button"
            className="btn"
            disabled={stored === null}
            title="Everything but the seed, into Generate"
            onClick={remix}
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
            onClick={() => void replay()}
            data-testid="replay-button"
          >
            <Icon name="retry" size={14} /> Replay
          </button>
          <button
            type="button"
            className="btn"
            onClick={() => void moreLikeThis()}
            data-testid="similar-button"
          >
            <Icon name="similar" size={14} /> More like this
          </button>
        </div>

        {replayJobId !== null ? <ReplayStatus jobId={replayJobId} onOpen={onOpen} /> : null}
        {similar !== null ? (
          <Section title="More like this" count={similar.length}>
            {similar.length === 0 ? (
              <div className="muted">Nothing similar yet.</div>
            ) : (
              <ul className="similar-grid" data-testid="similar-list">
                {similar.map((s) => (
                  <li key={s.id}>
                    <SimilarThumb id={s.id} score={s.score} onOpen={onOpen} />
                  </li>
                ))}
              </ul>
            )}
          </Section>
        ) : null}

        {item.recipe !== null ? (
          <Section title="Recipe">
            <RecipeTable item={item} />
          </Section>
        ) : null}
        {item.foreign !== null ? (
          <Section title="Settings found in the file">
            <table className="kv">
              <tbody>
                <tr>
                  <th scope="row">Prompt</th>
                  <td>{item.foreign.prompt}</td>
                </tr>
                {item.foreign.negativePrompt !== '' ? (
                  <tr>
                    <th scope="row">Negative prompt</th>
                    <td>{item.foreign.negativePrompt}</td>
                  </tr>
                ) : null}
                {Object.entries(item.foreign.settings).map(([k, v]) => (
                  <tr key={k}>
                    <th scope="row">{k}</th>
                    <td>{v}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </Section>
        ) : null}
        {item.score !== null && item.recipe?.selfScore == null ? (
          <Section title="Self-caption score">
            <div>
              {formatNumber(item.score.logProbPerToken)} log p/token, best of{' '}
              {item.score.candidates}
            </div>
          </Section>
        ) : null}
        <Captions item={item} reload={() => void load()} />
        <Tags item={item} update={update} />
        <Boards item={item} reload={() => void load()} />
        <LineageSection item={item} lineage={lineage} onOpen={onOpen} />
        <Section title="File">
          <table className="kv">
            <tbody>
              <tr>
                <th scope="row">Kind</th>
                <td>
                  {item.kind} · {item.origin}
                </td>
              </tr>
              <tr>
                <th scope="row">Size</th>
                <td>
                  {item.width}×{item.height} · {formatBytes(item.bytes)} · {item.mime}
                </td>
              </tr>
              <tr>
                <th scope="row">Added</th>
                <td>{formatDate(item.createdAt)}</td>
              </tr>
              <tr>
                <th scope="row">SHA-256</th>
                <td>
                  <code title={item.sha256}>{item.sha256.slice(0, 16)}…</code>
                </td>
              </tr>
              {item.files.map((f) => (
                <tr key={f}>
                  <th scope="row">Path</th>
                  <td className="mono">{f}</td>
                </tr>
              ))}
            </tbody>
          </table>
          {item.exif !== null && Object.keys(item.exif).length > 0 ? (
            <details className="exif">
              <summary>Photo metadata ({Object.keys(item.exif).length})</summary>
              <table className="kv">
                <tbody>
                  {Object.entries(item.exif).map(([k, v]) => (
                    <tr key={k}>
                      <th scope="row">{k}</th>
                      <td>{typeof v === 'object' ? JSON.stringify(v) : String(v)}</td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </details>
          ) : null}
        </Section>
      </div>
      {stored !== null ? (
        <ReuseDialog
          open={reuseOpen}
          stored={stored}
          source={`#${item.id} “${item.title}”`}
          onClose={() => setReuseOpen(false)}
        />
      ) : null}
    </aside>
  );
}

function SimilarThumb({
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
