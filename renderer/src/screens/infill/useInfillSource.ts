/**
 * What Infill shows: the library item (read with `gallery:get`) or the opened file, and a new
 * session for it unless the kept one is already about it.
 */
import { useCallback, useEffect, useState } from 'react';
import type { ModelView } from '../../../../app/common/contract.ts';
import { invoke } from '../../bridge/index.ts';
import { fileSource, itemSource, newSession, type InfillSource } from '../../lib/infill.ts';
import { randomSeed } from '../../lib/settings.ts';
import { appStore } from '../../state/app.ts';
import { infillSessionStore } from '../../state/infill-session.ts';
import { useStore } from '../../state/store.ts';

export function useInfillSource(infillers: readonly ModelView[]) {
  const infillId = useStore(appStore, (s) => s.infillId);
  const infillFile = useStore(appStore, (s) => s.infillFile);
  const [item, setItem] = useState<InfillSource | null>(null);
  const [error, setError] = useState<string | null>(null);

  /** A new session for a source, unless the current one is already about it. */
  const begin = useCallback(
    (source: InfillSource) => {
      setItem(source);
      const current = infillSessionStore.get();
      if (current !== null && current.sourceKey === source.key) return;
      infillSessionStore.set(newSession(source, infillers, randomSeed()));
    },
    [infillers],
  );

  useEffect(() => {
    if (infillId === null) {
      setError(null);
      if (infillFile !== null) begin(fileSource(infillFile));
      return;
    }
    let stale = false;
    setItem(null);
    setError(null);
    invoke('gallery:get', { id: infillId })
      .then((detail) => {
        if (!stale) begin(itemSource(detail));
      })
      .catch((err: unknown) => {
        if (!stale) setError(err instanceof Error ? err.message : String(err));
      });
    return () => {
      stale = true;
    };
  }, [infillId, infillFile, begin]);

  return { nothing: infillId === null && infillFile === null, item, error };
}
