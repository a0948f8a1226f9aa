/**
 * Compare: one prompt, one seed, every installed model that can generate, side by side as the
 * images stream in (docs/studio.md §Compare).
 */
import { CompareForm } from './CompareForm.tsx';
import { CompareResults } from './CompareResults.tsx';
import { useCompare } from './useCompare.ts';

export function CompareScreen() {
  const c = useCompare();
  return (
    <div className="screen compare-screen">
      <CompareForm c={c} />
      <CompareResults c={c} />
    </div>
  );
}
