/**
 * The Library's detail panel (`gallery:get`): the image, star and rating, the full recipe,
 * captions (suggestion vs current, conflicts, accept, edit), tags, boards, lineage, "more like
 * this", Reuse settings (a per-field diff), Remix, Replay, Infill…, and delete to trash /
 * restore.
 */
import { useEffect, useMemo, useRef, useState, type ReactNode } from 'react';
import type { ItemDetailView } from '../../../../app/common/contract.ts';
import { escapeClosesDetails } from '../../lib/detail-keys.ts';
import { formatDate, formatNumber } from '../../lib/format.ts';
import { storedFromForeign, storedFromRecipe, type StoredSettings } from '../../lib/settings.ts';
import { canDo, hasMemory, modelsStore } from '../../state/models.ts';
import { useStore } from '../../state/store.ts';
import { Icon } from '../Icon.tsx';
import { ReuseDialog } from '../ReuseDialog.tsx';
import { AssetImage, Callout } from '../ui.tsx';
import { Boards } from './Boards.tsx';
import { Captions } from './Captions.tsx';
import { DetailActions, DetailToolbar } from './DetailActions.tsx';
import { FileSection } from './FileSection.tsx';
import { SimilarThumb } from './ItemLink.tsx';
import { Likelihood } from './Likelihood.tsx';
import { LineageSection } from './Lineage.tsx';
import { ForeignSettings } from './ForeignSettings.tsx';
import { RecipeTable } from './RecipeTable.tsx';
import { ReplayStatus } from './ReplayStatus.tsx';
import { Section } from './Section.tsx';
import { Tags } from './Tags.tsx';
import { useDetailCommands } from './useDetailCommands.ts';
import { useDetailItem } from './useDetailItem.ts';

/** The panel's frame while the item loads or when it cannot be read. */
function PanelShell({
  id,
  onClose,
  children,
}: {
  id: number;
  onClose?: () => void;
  children: ReactNode;
}) {
  return (
    <aside
      className="detail-panel"
      data-testid="detail-panel"
      aria-label="Item details"
      aria-busy={onClose === undefined ? 'true' : undefined}
    >
      <header className="panel-head">
        <h2>Item #{id}</h2>
        {onClose !== undefined ? (
          <button
            type="button"
            className="btn icon-only ghost"
            aria-label="Close details"
            onClick={onClose}
          >
            <Icon name="x" />
          </button>
        ) : null}
      </header>
      {children}
    </aside>
  );
}

function SimilarSection({
  similar,
  onOpen,
}: {
  similar: { id: number; score: number }[];
  onOpen: (id: number) => void;
}) {
  return (
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
  );
}

/** The Generate settings an item carries: its recipe's, or those another tool left in it. */
function useStoredSettings(item: ItemDetailView | null): StoredSettings | null {
  const models = useStore(modelsStore, (s) => s.models);
  return useMemo(() => {
    if (item === null) return null;
    if (item.recipe !== null) {
      const model = models.find((m) => m.id === item.recipe!.modelId);
      return storedFromRecipe(item.recipe, model !== undefined && hasMemory(model));
    }
    if (item.foreign !== null) return storedFromForeign(item.foreign);
    return null;
  }, [item, models]);
}

/** Escape closes the panel (lib/detail-keys.ts says when). */
function useEscapeCloses(onClose: () => void) {
  const close = useRef(onClose);
  close.current = onClose;
  useEffect(() => {
    const onKey = (e: KeyboardEvent) => {
      const target = e.target instanceof HTMLElement ? e.target : null;
      const dialogOpen = document.querySelector('dialog[open]') !== null;
      if (
        escapeClosesDetails({
          key: e.key,
          defaultPrevented: e.defaultPrevented,
          target,
          dialogOpen,
        })
      )
        close.current();
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, []);
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
  const d = useDetailItem(id, onClose);
  useEscapeCloses(onClose);
  const models = useStore(modelsStore, (s) => s.models);
  const stored = useStoredSettings(d.item);
  const cmd = useDetailCommands(d.item, stored);
  const [reuseOpen, setReuseOpen] = useState(false);

  if (d.error !== null)
    return (
      <PanelShell id={id} onClose={onClose}>
        <div className="pad">
          <Callout tone="error" title="Could not open this item">
            {d.error}
          </Callout>
        </div>
      </PanelShell>
    );
  if (d.item === null)
    return (
      <PanelShell id={id}>
        <div className="pad muted">Loading…</div>
      </PanelShell>
    );
  const item = d.item;

  const modelId = item.recipe?.modelId ?? null;
  const infillModel =
    models.find((m) => m.id === modelId && canDo(m, 'infill') && m.usable) ??
    models.find((m) => canDo(m, 'infill') && m.usable);
  const small = item.width <= 128 && item.height <= 128;
  const reload = () => void d.load();

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
        <DetailToolbar
          item={item}
          update={(patch) => void d.update(patch)}
          onTrash={() => void d.trash()}
          onRestore={() => void d.restore()}
        />
        <DetailActions
          item={item}
          infillModel={infillModel}
          stored={stored}
          onReuse={() => setReuseOpen(true)}
          onRemix={cmd.remix}
          onReplay={() => void cmd.replay()}
          onSimilar={() => void cmd.moreLikeThis()}
        />
        {cmd.replayJobId !== null ? <ReplayStatus jobId={cmd.replayJobId} onOpen={onOpen} /> : null}
        {cmd.similar !== null ? <SimilarSection similar={cmd.similar} onOpen={onOpen} /> : null}
        {item.recipe !== null ? (
          <Section title="Recipe">
            <RecipeTable item={item} />
          </Section>
        ) : null}
        {item.foreign !== null ? (
          <Section title="Imported: what the file carried">
            <ForeignSettings foreign={item.foreign} />
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
        <Likelihood item={item} reload={reload} />
        <Captions item={item} reload={reload} />
        <Tags item={item} update={d.update} />
        <Boards item={item} reload={reload} />
        <LineageSection item={item} lineage={d.lineage} onOpen={onOpen} />
        <FileSection item={item} />
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
