/**
 * The inference process as a Node child process with an IPC channel (CLI, tests, web mode):
 * host-node.ts run through tsx, messages serialized with the structured-clone algorithm. When
 * this file is part of a bundle (esbuild writes .mjs; the tests' built CLI is one), the host is
 * the host-node.mjs bundled beside it, run by plain Node.
 */
import { fork } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { tailOf, type HostProcess } from './transport-types.ts';

const FROM_SOURCE = import.meta.url.endsWith('.ts');
const HOST = fileURLToPath(
  new URL(FROM_SOURCE ? './host-node.ts' : './host-node.mjs', import.meta.url),
);
/** How long close() waits for the process to leave by itself before it kills it. */
const CLOSE_GRACE_MS = 2000;

export function spawnNodeHost(): HostProcess {
  const child = fork(HOST, [], {
    execArgv: FROM_SOURCE ? ['--import', 'tsx'] : [],
    stdio: ['ignore', 'inherit', 'pipe', 'ipc'],
    serialization: 'advanced',
  });
  const stderrTail = tailOf(child.stderr);
  const exited = () => child.exitCode !== null || child.signalCode !== null;
  return {
    get pid() {
      return child.pid;
    },
    send: (message) => {
      // With a callback, a send to a process that just died is reported here, not as an
      // 'error' event that nothing listens to any more.
      if (child.connected) child.send(message, () => {});
    },
    onMessage: (handler) => child.on('message', handler),
    onError: (handler) => child.once('error', handler),
    onExit: (handler) =>
      child.once('exit', (code, signal) =>
        handler(signal !== null ? `was killed (${signal})` : `exited with code ${code}`),
      ),
    stderrTail,
    close: () =>
      new Promise<void>((resolve) => {
        if (exited()) {
          resolve();
          return;
        }
        child.once('exit', () => resolve());
        // host-node.ts exits when its IPC channel closes.
        if (child.connected) child.disconnect();
        setTimeout(() => child.kill('SIGKILL'), CLOSE_GRACE_MS).unref();
      }),
  };
}
