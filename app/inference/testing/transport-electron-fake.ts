/**
 * For tests under plain Node: a stand-in for Electron's `utilityProcess.fork` that starts a
 * Node child process and gives it what a utility process has, `process.parentPort` (messages
 * arrive as `{ data }` events, `postMessage` answers), so host-electron.ts runs unchanged, and
 * gives the parent what a UtilityProcess has (`postMessage`, `message`, `exit` with a code
 * only, `kill`, `pid`, `stderr`). Whatever module path it is given, it runs host-electron.ts
 * (the bundled out/inference/host.mjs need not exist).
 */
import { fork } from 'node:child_process';
import { EventEmitter } from 'node:events';
import { constants } from 'node:os';
import { fileURLToPath } from 'node:url';
import type { UtilityProcess } from 'electron';
import type { UtilityFork } from '../transport-electron.ts';

export const ELECTRON_HOST = fileURLToPath(new URL('../host-electron.ts', import.meta.url));

const PARENT_PORT = `
import { EventEmitter } from 'node:events';
const port = new EventEmitter();
port.postMessage = (message) => process.send(message);
process.on('message', (data) => port.emit('message', { data, ports: [] }));
process.on('disconnect', () => process.exit(0));
process.parentPort = port;
`;

export interface FakeFork {
  fork: UtilityFork;
  /** Every module path and option the app asked for, and the pid it got. */
  calls: { modulePath: string; options: unknown; pid: number | undefined }[];
}

export function fakeUtilityFork(): FakeFork {
  const calls: FakeFork['calls'] = [];
  const forkFn: UtilityFork = (modulePath, args = [], options = {}) => {
    const child = fork(ELECTRON_HOST, args, {
      execArgv: [
        '--import',
        'tsx',
        '--import',
        `data:text/javascript,${encodeURIComponent(PARENT_PORT)}`,
      ],
      stdio: ['ignore', 'inherit', 'pipe', 'ipc'],
      serialization: 'advanced',
      env: (options.env as NodeJS.ProcessEnv | undefined) ?? process.env,
    });
    const proc = new EventEmitter() as EventEmitter & {
      pid: number | undefined;
      stderr: NodeJS.ReadableStream | null;
      stdout: null;
      postMessage(message: unknown): void;
      kill(): boolean;
    };
    calls.push({ modulePath, options, pid: child.pid });
    proc.pid = child.pid;
    proc.stderr = child.stderr;
    proc.stdout = null;
    proc.postMessage = (message) => {
      if (child.connected) child.send(message as never, () => {});
    };
    proc.kill = () => child.kill();
    child.on('spawn', () => proc.emit('spawn'));
    child.on('message', (message) => proc.emit('message', message));
    child.on('exit', (code, signal) => {
      proc.pid = undefined;
      proc.emit('exit', code ?? 128 + (signal === null ? 0 : constants.signals[signal]));
    });
    return proc as unknown as UtilityProcess;
  };
  return { fork: forkFn, calls };
}
