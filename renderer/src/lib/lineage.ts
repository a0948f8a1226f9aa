/**
 * An item's family tree as the detail panel lists it: each node once, indented by its depth
 * from the oldest ancestor, and captioned by how it relates to the item. Pure.
 */
import type { ResponseOf } from '../../../app/common/contract.ts';

export type Lineage = ResponseOf<'gallery:lineage'>;
export type LineageNode = Lineage[number];

/** Nodes in order, each id once, with the smallest depth (the oldest ancestor's, or 0). */
export function lineageNodes(lineage: Lineage): { nodes: LineageNode[]; minDepth: number } {
  const seen = new Set<number>();
  const nodes = lineage.filter((n) => (seen.has(n.id) ? false : (seen.add(n.id), true)));
  return { nodes, minDepth: nodes.reduce((m, n) => Math.min(m, n.depth), 0) };
}

/** How many other items the tree holds. */
export function relativesCount(lineage: Lineage, selfId: number): number {
  return new Set(lineage.map((n) => n.id).filter((id) => id !== selfId)).size;
}

/** "parent #3 · infill of #1", "descendant #9 · derived of #8", … */
export function relationOf(n: LineageNode): string {
  if (n.depth < 0)
    return `${n.depth === -1 ? 'parent' : 'ancestor'} #${n.id}${n.op !== null ? ` · ${n.op} of #${n.parentId}` : ''}`;
  return `${n.depth === 1 ? 'child' : 'descendant'} #${n.id} · ${n.op ?? 'derived'} of #${n.parentId}`;
}
