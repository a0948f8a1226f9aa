/**
 * The application menu, as a template (Menu.buildFromTemplate in main.ts): File (Import
 * Images…, Import Folder…, Export…, Quit), Edit (the standard roles, so text fields get undo,
 * cut, copy, paste and select-all with their usual shortcuts), View (reload and DevTools only in
 * development; zoom; full screen), Window and Help. What a command does is main.ts's business.
 */
import type { MenuItemConstructorOptions } from 'electron';

export interface MenuCommands {
  importFiles(): void;
  importFolder(): void;
  exportSelection(): void;
  openDataFolder(): void;
}

export interface MenuInput {
  platform: NodeJS.Platform;
  /** Not packaged: reload and DevTools are offered. */
  isDev: boolean;
  appName: string;
  commands: MenuCommands;
}

export function menuTemplate(input: MenuInput): MenuItemConstructorOptions[] {
  const { commands, isDev } = input;
  const mac = input.platform === 'darwin';
  const separator: MenuItemConstructorOptions = { type: 'separator' };

  const file: MenuItemConstructorOptions = {
    label: '&File',
    submenu: [
      { label: 'Import Images…', accelerator: 'CmdOrCtrl+O', click: () => commands.importFiles() },
      {
        label: 'Import Folder…',
        accelerator: 'CmdOrCtrl+Shift+O',
        click: () => commands.importFolder(),
      },
      separator,
      { label: 'Export…', accelerator: 'CmdOrCtrl+E', click: () => commands.exportSelection() },
      separator,
      mac ? { role: 'close' } : { role: 'quit', accelerator: 'Ctrl+Q' },
    ],
  };

  const edit: MenuItemConstructorOptions = {
    label: '&Edit',
    submenu: [
      { role: 'undo' },
      { role: 'redo' },
      separator,
      { role: 'cut' },
      { role: 'copy' },
      { role: 'paste' },
      { role: 'selectAll' },
    ],
  };

  const view: MenuItemConstructorOptions = {
    label: '&View',
    submenu: [
      ...(isDev
        ? ([
            { role: 'reload' },
            { role: 'forceReload' },
            { role: 'toggleDevTools' },
            separator,
          ] satisfies MenuItemConstructorOptions[])
        : []),
      { role: 'resetZoom' },
      { role: 'zoomIn' },
      { role: 'zoomOut' },
      separator,
      { role: 'togglefullscreen' },
    ],
  };

  const windowMenu: MenuItemConstructorOptions = {
    label: '&Window',
    role: 'window',
    submenu: mac
      ? [{ role: 'minimize' }, { role: 'zoom' }, separator, { role: 'front' }]
      : [{ role: 'minimize' }, { role: 'close' }],
  };

  const help: MenuItemConstructorOptions = {
    label: '&Help',
    role: 'help',
    submenu: [
      { label: 'Show Data Folder', click: () => commands.openDataFolder() },
      ...(mac ? [] : ([separator, { role: 'about' }] satisfies MenuItemConstructorOptions[])),
    ],
  };

  const appMenu: MenuItemConstructorOptions = {
    label: input.appName,
    submenu: [
      { role: 'about' },
      separator,
      { role: 'services' },
      separator,
      { role: 'hide' },
      { role: 'hideOthers' },
      { role: 'unhide' },
      separator,
      { role: 'quit' },
    ],
  };

  return [...(mac ? [appMenu] : []), file, edit, view, windowMenu, help];
}
