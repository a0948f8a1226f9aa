/**
 * The app's side of the inference process: starts it, sends job requests, and turns its
 * messages into validated job events. If the process dies mid-job (native crash, out of
 * memory, killed), the job fails with a clear, retryable error and the next job starts a
 * fresh process: a crash in inference never takes the caller down.
 */
import { randomUUID } from 'node:crypto';
import {
  hostOutboundSchema,
  type JobEvent,
  type JobRequest,
  type ProviderInfo,
} from '../common/inference-contract.ts';
import { spawnNodeHost } from './transport-node.ts';
import type { HostProcess, HostSpawner } from './transport-types.ts';

export type { HostProcess, HostSpawner } from './transport-types.ts';

const TERMINAL = new Set(['completed', 'failed', 'cancelled', 'paused']);

export type TerminalEvent = Extract<
  JobEvent,
  { type: 'completed' | 'failed' | 'cancelled' | 'paused' }
>;

interface PendingJob {
  onEvent: (event: JobEvent) => void;
  resolve: (event: TerminalEvent) => void;
}

/** How long providers() waits for the process's list before answering with the CPU alone. */
const PROVIDERS_WAIT_MS = 10_000;

export class InferenceClient {
  private child: HostProcess | null = null;
  private ready: Promise<void> | null = null;
  private readonly jobs = new Map<string, PendingJob>();
  private providerList: ProviderInfo[] | null = null;
  private readonly providerWaiters: ((list: ProviderInfo[]) => void)[] = [];

  /**
   * @param spawnHost starts an inference process: a Node child process by default; the
   *   desktop app passes an Electron utilityProcess spawner (transport-electron.ts).
   */
  constructor(private readonly spawnHost: HostSpawner = spawnNodeHost) {}

  private start(): Promise<void> {
    if (this.ready !== null && this.child !== null) return this.ready;
    const child = this.spawnHost();
    this.child = child;
    this.ready = new Promise((resolve, reject) => {
      child.onError(reject);
      child.onMessage((raw) => {
        const parsed = hostOutboundSchema.safeParse(raw);
        if (!parsed.success) return;
        const message = parsed.data;
        if (message.type === 'ready') {
          resolve();
          return;
        }
        if (message.type === 'providers') {
          this.providerList = message.providers;
          for (const waiter of this.providerWaiters.splice(0)) waiter(message.providers);
          return;
        }
        const job = this.jobs.get(message.jobId);
        if (job === undefined) return;
        job.onEvent(message.event);
        if (TERMINAL.has(message.event.type)) {
          this.jobs.delete(message.jobId);
          job.resolve(message.event as TerminalEvent);
        }
      });
      child.onExit((why) => {
        if (this.child === child) {
          this.child = null;
          this.ready = null;
        }
        const last = child.stderrTail().trim().split('\n').pop() ?? '';
        reject(new Error(`the inference process ${why} before it was ready: ${last}`));
        for (const [jobId, job] of this.jobs) {
          this.jobs.delete(jobId);
          const failed: TerminalEvent = {
            type: 'failed',
            code: 'inference-crashed',
            message: `The inference process ${why} during this job${last ? ` (${last})` : ''}. Nothing saved was lost; retry the job, or choose a smaller model or the CPU provider if it happens again.`,
            retryable: true,
          };
          job.onEvent(failed);
          job.resolve(failed);
        }
      });
    });
    return this.ready;
  }

  /** Runs one job; resolves with its terminal event (never rejects for job failures). */
  async run(
    request: JobRequest,
    onEvent: (event: JobEvent) => void = () => {},
    jobId: string = randomUUID(),
  ): Promise<TerminalEvent> {
    await this.start();
    return new Promise<TerminalEvent>((resolve) => {
      this.jobs.set(jobId, { onEvent, resolve });
      this.child!.send({ type: 'run', jobId, request });
    });
  }

  /**
   * The execution providers the inference process's onnxruntime lists (it starts the process
   * if needed). A process that never says answers, after a while, with the CPU alone.
   */
  async providers(): Promise<ProviderInfo[]> {
    if (this.providerList !== null) return this.providerList;
    await this.start();
    if (this.providerList !== null) return this.providerList;
    return new Promise<ProviderInfo[]>((resolve) => {
      const timer = setTimeout(() => resolve([{ name: 'cpu', bundled: true }]), PROVIDERS_WAIT_MS);
      timer.unref();
      this.providerWaiters.push((list) => {
        clearTimeout(timer);
        resolve(list);
      });
    });
  }

  cancel(jobId: string): void {
    this.child?.send({ type: 'cancel', jobId });
  }

  pause(jobId: string): void {
    this.child?.send({ type: 'pause', jobId });
  }

  /** The process id of the current inference process (for tests and diagnostics). */
  get pid(): number | undefined {
    return this.child?.pid;
  }

  async close(): Promise<void> {
    const child = this.child;
    if (child === null) return;
    this.child = null;
    this.ready = null;
    await child.close();
  }
}
