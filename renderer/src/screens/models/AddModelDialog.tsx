/** "Add a model": pull a hub repository, import a folder, or pick a supported public checkpoint. */
import { useState } from 'react';
import { Dialog } from '../../components/ui.tsx';
import { CheckpointList } from './CheckpointList.tsx';
import { ImportFolder } from './ImportFolder.tsx';
import { PullSection } from './PullSection.tsx';
import { usePull } from './usePull.ts';

export function AddModelDialog({ open, onClose }: { open: boolean; onClose: () => void }) {
  const [repo, setRepo] = useState('');
  const pull = usePull();
  return (
    <Dialog open={open} title="Add a model" onClose={onClose} wide>
      <div className="add-model" data-testid="add-model-dialog">
        <PullSection repo={repo} setRepo={setRepo} pull={pull} />
        <section className="add-model-section">
          <ImportFolder testIdPrefix="add-" />
        </section>
        <CheckpointList onPull={setRepo} />
      </div>
    </Dialog>
  );
}
