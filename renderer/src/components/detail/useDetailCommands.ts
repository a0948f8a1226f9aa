/** The detail panel's commands on an item: More like this, Replay (and its job), Remix. */
import { useState } from 'react';
import type { ItemDetailView } from '../../../../app/common/contract.ts';
import { invoke } from '../../bridge/index.ts';
import { randomSeed, remixSettings, type StoredSettings } from '../../lib/settings.ts';
import { navigate, reportError, settingsStore, toast } from '../../state/app.ts';
import { refreshJobs } from '../../state/jobs.ts';

export function useDetailCommands(item: ItemDetailView | null, stored: StoredSettings | null) {
  const [similar, setSimilar] = useState<{ id: number; score: number }[] | null>(null);
  const [replayJobId, setReplayJobId] = useState<string | null>(null);

  const moreLikeThis = async () => {
    if (item === null) return;
    try {
      setSimilar(await invoke('gallery:similar', { id: item.id, limit: 24 }));
    } catch (err) {
      reportError('Could not find similar images', err);
    }
  };
  const replay = async () => {
    if (item === null) return;
    try {
      const { jobId } = await invoke('gallery:replay', { id: item.id });
      setReplayJobId(jobId);
      void refreshJobs();
    } catch (err) {
      reportError(`Could not replay #${item.id}`, err);
    }
  };
  const remix = () => {
    if (item === null || stored === null) return;
    settingsStore.set((s) => remixSettings(s, stored, randomSeed()));
    navigate('generate');
    toast(`Remixing #${item.id}: same settings, new seed`);
  };

  return { similar, replayJobId, moreLikeThis, replay, remix };
}
