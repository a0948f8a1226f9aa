/** A generation's recipe (lib/recipe-rows.ts). */
import type { ItemDetailView } from '../../../../app/common/contract.ts';
import { recipeRows, type RecipeValue } from '../../lib/recipe-rows.ts';

function Value({ v }: { v: RecipeValue }) {
  switch (v.kind) {
    case 'text':
      return <>{v.text}</>;
    case 'muted':
      return <span className="muted">{v.text}</span>;
    case 'hash':
      return <code title={v.hash}>{v.hash.slice(0, 12)}…</code>;
    case 'reference':
      return (
        <span title={v.title} data-testid="recipe-reference">
          {v.text}
        </span>
      );
    case 'source':
      return (
        <span>
          {v.outside ? <span className="muted">an outside file · </span> : null}
          <code title={v.hash}>{v.hash.slice(0, 12)}…</code>
        </span>
      );
  }
}

export function RecipeTable({ item }: { item: ItemDetailView }) {
  if (item.recipe === null) return null;
  return (
    <table className="kv" data-testid="recipe-table">
      <tbody>
        {recipeRows(item).map(([k, v]) => (
          <tr key={k}>
            <th scope="row">{k}</th>
            <td>
              <Value v={v} />
            </td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}
