/** The mask editor's keyboard shortcuts (lib/infill.ts `infillKey`), while no job is staged. */
import { useEffect } from 'react';
import { infillKey, isTyping } from '../../lib/infill.ts';
import { infillSessionStore, setInfillSession } from '../../state/infill-session.ts';

export function useInfillKeys(): void {
  useEffect(() => {
    const onKey = (e: KeyboardEvent) => {
      const s = infillSessionStore.get();
      if (s === null || s.jobId !== null) return;
      const t = e.target as HTMLInputElement | null;
      if (isTyping(t === null ? null : { tagName: t.tagName, type: t.type })) return;
      const action = infillKey(s, e);
      if (action === null) return;
      if (action.preventDefault) e.preventDefault();
      setInfillSession(action.patch);
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, []);
}
