/**
 * Drops onto the Infill screen: a library item dragged from the grid opens it here; an image
 * file dragged from the desktop opens it without importing it.
 */
import { useState, type DragEvent } from 'react';
import { carriesFiles, carriesItems, draggedItems } from '../../lib/drag.ts';
import { openFileInInfill, openItemInInfill } from '../../state/infill-open.ts';

export function useInfillDrop() {
  const [over, setOver] = useState(false);
  const accepts = (e: DragEvent) => carriesItems(e.dataTransfer) || carriesFiles(e.dataTransfer);
  return {
    over,
    handlers: {
      onDragOver: (e: DragEvent) => {
        if (!accepts(e)) return;
        e.preventDefault();
        e.dataTransfer.dropEffect = 'copy';
        setOver(true);
      },
      onDragLeave: (e: DragEvent<HTMLElement>) => {
        if (!e.currentTarget.contains(e.relatedTarget as Node | null)) setOver(false);
      },
      onDrop: (e: DragEvent) => {
        if (!accepts(e)) return;
        e.preventDefault();
        setOver(false);
        const [id] = draggedItems(e.dataTransfer);
        const file = e.dataTransfer.files[0];
        if (id !== undefined) openItemInInfill(id);
        else if (file !== undefined) void openFileInInfill(file);
      },
    },
  };
}
