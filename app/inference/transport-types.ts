/**
 * How InferenceClient reaches an inference process, whatever kind it is: a Node child process
 * (CLI, tests, web mode: transport-node.ts) or an Electron utilityProcess (the desktop app:
 * transport-electron.ts). Either way the process runs host.ts's startHost, and messages are
 * structured-cloned, so the client and the host code are the same for both.
 */
import type { HostInbound } from '../common/inference-contract.ts';

export interface HostProcess {
  /** Its OS process id while it runs (tests and diagnostics). */
  readonly pid: number | undefined;
  /** Sends one message; a message to a process that has just died is dropped. */
  send(message: HostInbound): void;
  onMessage(handler: (message: unknown) => void): void;
  /** It could not be started, or hit a fatal error (an exit follows when it was running). */
  onError(handler: (err: Error) => void): void;
  /** Once, when it has ended: `why` reads "was killed (SIGKILL)" or "exited with code 3". */
  onExit(handler: (why: string) => void): void;
  /** The end of what it wrote to stderr, to explain a crash. */
  stderrTail(): string;
  /** Stops it (forcefully if it does not stop by itself soon); resolves once it has exited. */
  close(): Promise<void>;
}

/** Starts a fresh inference process; called again after one has died. */
export type HostSpawner = () => HostProcess;

/** Keeps the last `max` characters of a stream's text (a crash's explanation is at the end). */
export function tailOf(stream: NodeJS.ReadableStream | null | undefined, max = 2000): () => string {
  let tail = '';
  stream?.on('data', (chunk: Buffer | string) => {
    tail = (tail + chunk.toString()).slice(-max);
  });
  return () => tail;
}
