/** The family tree around an item: ancestors above, descendants below, each clickable. */
import type { ItemDetailView } from '../../../../app/common/contract.ts';
import { lineageNodes, relationOf, relativesCount, type Lineage } from '../../lib/lineage.ts';
import { ItemLink } from './ItemLink.tsx';
import { Section } from './Section.tsx';

export function LineageList({
  selfId,
  lineage,
  onOpen,
}: {
  selfId: number;
  lineage: Lineage;
  onOpen: (id: number) => void;
}) {
  const { nodes, minDepth } = lineageNodes(lineage);
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
            <ItemLink id={n.id} onOpen={onOpen} caption={relationOf(n)} />
          )}
        </li>
      ))}
    </ol>
  );
}

export function LineageSection({
  item,
  lineage,
  onOpen,
}: {
  item: ItemDetailView;
  lineage: Lineage | null;
  onOpen: (id: number) => void;
}) {
  const others = lineage === null ? 0 : relativesCount(lineage, item.id);
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
