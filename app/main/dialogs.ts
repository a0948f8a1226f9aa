/**
 * Native file dialogs. The page reaches them only through the contract (no preload method of
 * their own): once app/common/contract.ts lists the `dialog:*` channels, dialogHandlers() below
 * answers them and main.ts already merges it into the handlers it registers. Until then the
 * type DialogChannel is empty and so is the map the compiler asks for.
 */
import type {
  BaseWindow,
  Dialog,
  MessageBoxOptions,
  OpenDialogOptions,
  SaveDialogOptions,
} from 'electron';
import type { Channel, RequestOf, ResponseOf } from '../common/contract.ts';

export type DialogApi = Pick<Dialog, 'showOpenDialog' | 'showSaveDialog' | 'showMessageBox'>;
type Parent = BaseWindow | null | undefined;

export const IMAGE_EXTENSIONS = ['png', 'jpg', 'jpeg', 'webp', 'gif', 'tif', 'tiff', 'avif'];

function open(dialog: DialogApi, parent: Parent, options: OpenDialogOptions) {
  return parent ? dialog.showOpenDialog(parent, options) : dialog.showOpenDialog(options);
}

function save(dialog: DialogApi, parent: Parent, options: SaveDialogOptions) {
  return parent ? dialog.showSaveDialog(parent, options) : dialog.showSaveDialog(options);
}

export function showMessage(dialog: DialogApi, parent: Parent, options: MessageBoxOptions) {
  return parent ? dialog.showMessageBox(parent, options) : dialog.showMessageBox(options);
}

/** Image files (to import, or one to open in Infill); [] when cancelled. */
export async function chooseImageFiles(
  dialog: DialogApi,
  parent: Parent,
  title = 'Import images',
  choice: { buttonLabel?: string; multiple?: boolean } = {},
): Promise<string[]> {
  const r = await open(dialog, parent, {
    title,
    buttonLabel: choice.buttonLabel ?? 'Import',
    properties: choice.multiple === false ? ['openFile'] : ['openFile', 'multiSelections'],
    filters: [
      { name: 'Images', extensions: IMAGE_EXTENSIONS },
      { name: 'All files', extensions: ['*'] },
    ],
  });
  return r.canceled ? [] : r.filePaths;
}

/** One folder (to import, caption, or export into); null when cancelled. */
export async function chooseFolder(
  dialog: DialogApi,
  parent: Parent,
  title = 'Choose a folder',
  buttonLabel = 'Choose',
): Promise<string | null> {
  const r = await open(dialog, parent, {
    title,
    buttonLabel,
    properties: ['openDirectory', 'createDirectory'],
  });
  return r.canceled ? null : (r.filePaths[0] ?? null);
}

/** Where to write a .zip export; null when cancelled. */
export async function chooseZipTarget(
  dialog: DialogApi,
  parent: Parent,
  defaultName = 'tessera-export.zip',
): Promise<string | null> {
  const r = await save(dialog, parent, {
    title: 'Export as a .zip',
    buttonLabel: 'Export',
    defaultPath: defaultName,
    filters: [{ name: 'Zip archive', extensions: ['zip'] }],
  });
  if (r.canceled || r.filePath === undefined || r.filePath === '') return null;
  return r.filePath.toLowerCase().endsWith('.zip') ? r.filePath : `${r.filePath}.zip`;
}

/** The contract's dialog channels (none yet: see the proposal in build/README.md). */
export type DialogChannel = Extract<Channel, `dialog:${string}`>;
export type DialogHandlers = {
  [C in DialogChannel]: (request: RequestOf<C>) => Promise<ResponseOf<C>>;
};

/**
 * Handlers for the dialog channels, shown over the studio window. Written for the proposed
 * schemas; the compiler checks them against the contract once the channels are in it.
 */
export function dialogHandlers(dialog: DialogApi, parent: () => Parent): DialogHandlers {
  const handlers = {
    'dialog:openFiles': async (r: {
      title?: string;
      buttonLabel?: string;
      multiple?: boolean;
    }) => ({
      paths: await chooseImageFiles(dialog, parent(), r.title, r),
    }),
    'dialog:openFolder': async (r: { title?: string; buttonLabel?: string }) => ({
      path: await chooseFolder(dialog, parent(), r.title, r.buttonLabel),
    }),
    'dialog:saveZip': async (r: { defaultName?: string }) => ({
      path: await chooseZipTarget(dialog, parent(), r.defaultName),
    }),
  };
  return handlers;
}
