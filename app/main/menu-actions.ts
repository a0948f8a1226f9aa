/**
 * What the File menu's commands do. Import: a native dialog, then the contract's
 * `gallery:import` (the service announces new items with `gallery:changed`, so the page
 * refreshes by itself); a message only when something could not be imported. Export needs the
 * page's selection, so the page is asked to run its export (the `menu:command` event, once the
 * contract has it); until then the menu says where export lives.
 */
import type { BaseWindow } from 'electron';
import type { RequestOf, ResponseOf, Result } from '../common/contract.ts';
import { chooseFolder, chooseImageFiles, showMessage, type DialogApi } from './dialogs.ts';

type ImportRequest = RequestOf<'gallery:import'>;
type ImportRows = ResponseOf<'gallery:import'>;

export interface ImportDeps {
  dialog: DialogApi;
  parent: BaseWindow | null | undefined;
  importPaths: (request: ImportRequest) => Promise<Result<ImportRows>>;
}

export interface ImportOutcome {
  imported: number;
  existing: number;
  failed: { path: string; message: string }[];
}

/** Asks for files or a folder, imports them; null when the dialog was cancelled. */
export async function importWithDialog(
  kind: 'files' | 'folder',
  deps: ImportDeps,
): Promise<ImportOutcome | null> {
  const list =
    kind === 'files'
      ? await chooseImageFiles(deps.dialog, deps.parent)
      : [
          await chooseFolder(deps.dialog, deps.parent, 'Import a folder of images', 'Import'),
        ].filter((p): p is string => p !== null);
  if (list.length === 0) return null;
  const result = await deps.importPaths({ paths: list, recursive: true });
  if (!result.ok) {
    await showMessage(deps.dialog, deps.parent, {
      type: 'error',
      message: 'The images could not be imported',
      detail: result.error.message,
    });
    const message = result.error.message;
    return { imported: 0, existing: 0, failed: list.map((path) => ({ path, message })) };
  }
  const outcome: ImportOutcome = {
    imported: result.value.filter((r) => r.status === 'imported').length,
    existing: result.value.filter((r) => r.status === 'exists').length,
    failed: result.value
      .filter((r) => r.status === 'failed')
      .map((r) => ({ path: r.path, message: r.message ?? 'unreadable' })),
  };
  if (outcome.failed.length > 0 || outcome.imported + outcome.existing === 0)
    await showMessage(deps.dialog, deps.parent, {
      type: outcome.failed.length > 0 ? 'warning' : 'info',
      message: importSummary(outcome),
      detail: outcome.failed
        .slice(0, 10)
        .map((f) => `${f.path}: ${f.message}`)
        .join('\n'),
    });
  return outcome;
}

export function importSummary(o: ImportOutcome): string {
  const parts = [`Imported ${o.imported} image${o.imported === 1 ? '' : 's'}`];
  if (o.existing > 0) parts.push(`${o.existing} already in the library`);
  if (o.failed.length > 0) parts.push(`${o.failed.length} could not be read`);
  return `${parts.join('; ')}.`;
}
