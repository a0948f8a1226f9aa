/** Tessera's data folder: --home, else TESSERA_HOME, else the platform's app-data location. */
import { homedir, platform } from 'node:os';
import { join } from 'node:path';

export function resolveHome(flag: string | undefined): string {
  if (flag !== undefined && flag !== '') return flag;
  const env = process.env.TESSERA_HOME;
  if (env !== undefined && env !== '') return env;
  if (platform() === 'win32')
    return join(process.env.APPDATA ?? join(homedir(), 'AppData', 'Roaming'), 'Tessera');
  if (platform() === 'darwin') return join(homedir(), 'Library', 'Application Support', 'Tessera');
  return join(process.env.XDG_DATA_HOME ?? join(homedir(), '.local', 'share'), 'tessera');
}
