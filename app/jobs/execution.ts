/**
 * What a job executor gets from the runner and what it hands back. Executors do the work of one
 * job kind; the runner owns claiming, heartbeats, persistence of progress and the final state.
 */
import type { ModelManifest } from '../common/model-manifest.ts';
import type { QueueEvent } from '../common/queue-contract.ts';
import type { Gallery, JobRow } from '../gallery/index.ts';
import type { InferenceClient } from '../inference/client.ts';

export interface ResolvedModel {
  dir: string;
  manifest: ModelManifest;
}

export type StopRequest = 'pause' | 'cancel';

/** A stop the user asked for; executors read it at safe points or subscribe to act at once. */
export class StopSignal {
  private value: StopRequest | null = null;
  private readonly listeners: ((what: StopRequest) => void)[] = [];

  get requested(): StopRequest | null {
    return this.value;
  }

  request(what: StopRequest): void {
    // A cancel overrides a pause; a pause never downgrades a cancel.
    if (this.value === what || this.value === 'cancel') return;
    this.value = what;
    for (const listener of this.listeners) listener(what);
  }

  onRequest(listener: (what: StopRequest) => void): void {
    this.listeners.push(listener);
    if (this.value !== null) listener(this.value);
  }
}

/** Events an executor emits; the runner adds the job id. */
export type ExecutorEvent = QueueEvent extends infer E
  ? E extends { jobId: string }
    ? Omit<E, 'jobId'>
    : never
  : never;

export interface ExecutionContext {
  job: JobRow;
  gallery: Gallery;
  client: InferenceClient;
  model: ResolvedModel;
  stop: StopSignal;
  emit(event: ExecutorEvent): void;
  /** persisted at most about once a second; emitted to listeners at most 10 times a second */
  progress(
    done: number,
    total: number,
    unit: 'token' | 'mcu' | 'step' | 'file' | 'image',
    rate: number,
  ): void;
  checkpoint(state: unknown): void;
}

export type ExecutionOutcome =
  | {
      status: 'completed';
      assetIds: number[];
      summary: string;
      result?: Record<string, unknown>;
    }
  | { status: 'paused'; checkpoint: unknown }
  | { status: 'cancelled' }
  | { status: 'failed'; code: string; message: string; retryable: boolean };

export type Executor = (ctx: ExecutionContext) => Promise<ExecutionOutcome>;
