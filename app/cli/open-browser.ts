/**
 * Opens the user's browser at an address, as Jupyter does, but only where a desktop can show
 * one: macOS and Windows, or Linux and the BSDs with an X or Wayland display; never in CI, where
 * no one is there to look. The address is printed either way, so this is a convenience only.
 */
import { spawn } from 'node:child_process';

export interface OpenEnvironment {
  platform: NodeJS.Platform;
  env: NodeJS.ProcessEnv;
}

/** The command that opens `url` in the default browser here, or why there is none. */
export function browserCommand(
  url: string,
  where: OpenEnvironment,
): { command: string; args: string[] } | { skipped: string } {
  const { platform, env } = where;
  if (env.CI !== undefined && env.CI !== '' && env.CI !== 'false')
    return { skipped: 'running in CI' };
  if (platform === 'darwin') return { command: 'open', args: [url] };
  // `start` is a cmd built-in; its first quoted argument is a window title.
  if (platform === 'win32') return { command: 'cmd', args: ['/c', 'start', '""', url] };
  if (!env.DISPLAY && !env.WAYLAND_DISPLAY) return { skipped: 'no desktop display' };
  return { command: 'xdg-open', args: [url] };
}

/**
 * Opens `url` and resolves with null once the opener started, or with why it did not (no
 * desktop, or no opener installed); the opener runs detached and is never waited for.
 */
export function openBrowser(
  url: string,
  where: OpenEnvironment = { platform: process.platform, env: process.env },
): Promise<string | null> {
  const how = browserCommand(url, where);
  if ('skipped' in how) return Promise.resolve(how.skipped);
  return new Promise((resolve) => {
    const child = spawn(how.command, how.args, {
      detached: true,
      stdio: 'ignore',
      windowsHide: true,
    });
    child.once('error', (err: NodeJS.ErrnoException) =>
      resolve(`${how.command} could not start (${err.code ?? err.message})`),
    );
    child.once('spawn', () => {
      child.unref();
      resolve(null);
    });
  });
}
