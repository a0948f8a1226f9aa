/**
 * The dialog's pull: starts one through `models:pull`, follows its `models:pull` events, and
 * cancels it; the installed models are read again when a pull ends with a model.
 */
import { useEffect, useState } from 'react';
import type { RequestOf } from '../../../../app/common/contract.ts';
import { invoke, on } from '../../bridge/index.ts';
import { activePullId, applyPullEvent, IDLE, type PullView } from '../../lib/model-pull.ts';
import { reportError } from '../../state/app.ts';
import { loadModels } from '../../state/models.ts';

export function usePull() {
  const [view, setView] = useState<PullView>(IDLE);
  useEffect(
    () =>
      on('models:pull', (event) => {
        setView((v) => applyPullEvent(v, event));
        if (event.type === 'done') void loadModels();
      }),
    [],
  );
  const start = async (request: RequestOf<'models:pull'>) => {
    setView({ state: 'starting', repo: request.repo, pullId: null });
    try {
      const { pullId } = await invoke('models:pull', request);
      setView((v) => (v.state === 'starting' ? { ...v, pullId } : v));
    } catch (err) {
      const code = (err as { code?: string }).code ?? 'internal';
      const message = err instanceof Error ? err.message : String(err);
      setView({ state: 'stopped', repo: request.repo, pullId: null, error: { code, message } });
    }
  };
  const cancel = async () => {
    const pullId = activePullId(view);
    if (pullId === null) return;
    try {
      await invoke('models:cancelPull', { pullId });
    } catch (err) {
      reportError('Could not cancel the pull', err);
    }
  };
  return { view, start, cancel, reset: () => setView(IDLE) };
}
