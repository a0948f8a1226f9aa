/**
 * The inference process as an Electron utilityProcess (the desktop app,
 * docs/architecture.md §Processes): a Node environment that Chromium's process model owns, started
 * from the bundled host (out/inference/host.mjs, built from host-electron.ts). Electron is not
 * imported here: the main process passes `utilityProcess.fork` in, so this file stays free of
 * Electron's main APIs (docs/architecture.md §Layering) and runs under plain Node in tests with a
 * stand-in fork.
 */
import type { ForkOptions, UtilityProcess } from 'electron';
import { tailOf, type HostProcess, type HostSpawner } from './transport-types.ts';

export type UtilityFork = (
  modulePath: string,
  args?: string[],
  options?: ForkOptions,
) => UtilityProcess;

/** How long close() waits for the process to exit after it was asked to. */
const CLOSE_WAIT_MS = 2000;

export interface UtilityHostOptions {
  /** Shown in the OS task manager and in Electron's process metrics. */
  serviceName?: string;
  env?: NodeJS.ProcessEnv;
}

/** A spawner for InferenceClient: each call forks a fresh utility process running `hostPath`. */
export function utilityProcessSpawner(
  fork: UtilityFork,
  hostPath: string,
  options: UtilityHostOptions = {},
): HostSpawner {
  return (): HostProcess => {
    const child = fork(hostPath, [], {
      serviceName: options.serviceName ?? 'Tessera inference',
      // stdin must be 'ignore' for a utility process; stderr is kept to explain crashes.
      stdio: ['ignore', 'inherit', 'pipe'],
      ...(options.env === undefined ? {} : { env: options.env }),
    });
    const stderrTail = tailOf(child.stderr);
    let exited = false;
    child.once('exit', () => {
      exited = true;
    });
    return {
      get pid() {
        return child.pid;
      },
      send: (message) => {
        if (exited) return;
        try {
          child.postMessage(message);
        } catch {
          // The process is going away: its exit fails the job that was running.
        }
      },
      onMessage: (handler) => child.on('message', handler),
      onError: (handler) =>
        child.once('error', (type, location) =>
          handler(new Error(`the inference process hit a ${type} (${location})`)),
        ),
      // A utility process reports only an exit code, never a signal.
      onExit: (handler) => child.once('exit', (code) => handler(`exited with code ${code}`)),
      stderrTail,
      close: () =>
        new Promise<void>((resolve) => {
          if (exited) {
            resolve();
            return;
          }
          child.once('exit', () => resolve());
          child.kill();
          setTimeout(resolve, CLOSE_WAIT_MS).unref();
        }),
    };
  };
}
