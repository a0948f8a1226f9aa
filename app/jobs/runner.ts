/**
 * Runs the library's persistent job queue: claims the next job (atomically, so several
 * processes can share one library), runs it with the executor of its kind, keeps its
 * heartbeat, progress and checkpoint in the database, and records exactly one final state.
 * Pause and cancel requests arrive either from this process or, through the `control` column,
 * from any other process that opened the same library.
 */
import { describeError, INTERNAL } from '../common/errors.ts';
import { jobDetailsSchema, type QueueEvent } from '../common/queue-contract.ts';
import type { Gallery, JobKind, JobRow } from '../gallery/index.ts';
import type { InferenceClient } from '../inference/client.ts';
import {
  StopSignal,
  type ExecutionContext,
  type ExecutionOutcome,
  type Executor,
  type ExecutorEvent,
  type ResolvedModel,
} from './execution.ts';
import { executeCaptionFolder } from './executors/caption-folder.ts';
import { executeGenerate } from './executors/generate.ts';
import { executeInfill } from './executors/infill.ts';

const EXECUTORS: Record<JobKind, Executor> = {
  generate: executeGenerate,
  infill: executeInfill,
  'caption-folder': executeCaptionFolder,
};

/** A job whose owner has not written a heartbeat for this long is considered dead. */
export const STALE_AFTER_MS = 15_000;
const HEARTBEAT_MS = 1_000;

export interface RunnerOptions {
  gallery: Gallery;
  client: InferenceClient;
  resolveModel: (modelId: string) => Promise<ResolvedModel>;
  onEvent?: (event: QueueEvent) => void;
}

function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * Jobs left 'running' by a process that died (crash, kill -9, power cut) become 'interrupted',
 * which the queue resumes from their checkpoints. Safe to call from any process at any time.
 */
export function recoverOrphanedJobs(gallery: Gallery): number {
  return gallery.jobs.recoverOrphans(processAlive, STALE_AFTER_MS);
}

/**
 * The first result of an image job that another run put in the library (the same recipe makes
 * the same bytes, and the library keeps one item per image). A result this job itself stored
 * before a crash is not one: resuming finds its own image.
 */
function madeBefore(gallery: Gallery, job: JobRow, assetIds: number[]): number | null {
  if (job.kind !== 'generate' && job.kind !== 'infill') return null;
  for (const id of assetIds) {
    const generation = gallery.getItem(id)?.generation ?? null;
    if (generation !== null && generation.jobId !== job.id) return id;
  }
  return null;
}

export class JobRunner {
  private readonly running = new Map<string, StopSignal>();

  constructor(private readonly options: RunnerOptions) {
    recoverOrphanedJobs(options.gallery);
  }

  /** Asks a job to pause or cancel, wherever it runs; queued jobs change state at once. */
  request(jobId: string, what: 'pause' | 'cancel'): JobRow {
    const row = this.options.gallery.jobs.requestControl(jobId, what);
    this.running.get(jobId)?.request(what);
    return row;
  }

  /** Pauses every job this runner is running (at their next safe point): orderly shutdown. */
  pauseRunning(): void {
    for (const id of this.running.keys()) this.request(id, 'pause');
  }

  /** Runs claimable jobs in queue order until none is left (or only those in `ids`). */
  async drain(ids?: readonly string[]): Promise<JobRow[]> {
    const jobs = this.options.gallery.jobs;
    const ran: JobRow[] = [];
    const claim = (): JobRow | null => {
      if (ids === undefined) return jobs.claimNext(process.pid);
      for (const id of ids) {
        const job = jobs.claim(id, process.pid);
        if (job !== null) return job;
      }
      return null;
    };
    for (let next = claim(); next !== null; next = claim()) ran.push(await this.execute(next));
    return ran;
  }

  /** Claims and runs one job by id (queued, interrupted or resumed); null if not claimable. */
  async runOne(jobId: string): Promise<JobRow | null> {
    const job = this.options.gallery.jobs.claim(jobId, process.pid);
    return job === null ? null : this.execute(job);
  }

  private async execute(job: JobRow): Promise<JobRow> {
    const { gallery, onEvent } = this.options;
    const jobs = gallery.jobs;
    const stop = new StopSignal();
    this.running.set(job.id, stop);
    const send = (event: ExecutorEvent) => onEvent?.({ ...event, jobId: job.id } as QueueEvent);
    let lastPersist = 0;
    let lastEmit = 0;
    const startedAt = Date.now();
    const heartbeat = setInterval(() => {
      try {
        const { control } = jobs.heartbeat(job.id, process.pid);
        if (control !== null) stop.request(control);
      } catch {
        // The job is no longer ours (another process declared it orphaned and took it over, or
        // it was removed): stop at the next safe point rather than write over its new owner.
        stop.request('pause');
      }
    }, HEARTBEAT_MS);
    let outcome: ExecutionOutcome;
    try {
      const ctx: ExecutionContext = {
        job,
        gallery,
        client: this.options.client,
        model: await this.options.resolveModel(job.modelId),
        stop,
        emit: send,
        progress: (done, total, unit, rate) => {
          const now = Date.now();
          if (now - lastPersist >= 1000 || done === total) {
            jobs.progress(job.id, done, total);
            lastPersist = now;
          }
          if (now - lastEmit >= 100 || done === total) {
            lastEmit = now;
            const elapsed = (now - startedAt) / 1000;
            const measured = rate > 0 ? rate : done / Math.max(elapsed, 1e-3);
            const eta = measured > 0 && done > 0 ? (total - done) / measured : null;
            send({ type: 'progress', done, total, unit, ratePerSecond: measured, etaSeconds: eta });
          }
        },
        checkpoint: (state) => jobs.checkpoint(job.id, state),
      };
      outcome = await EXECUTORS[job.kind](ctx);
    } catch (err) {
      // A bug or a crash may pass on a second try; a user error will not until it is fixed.
      const { code, message, retryable } = describeError(err);
      outcome =
        code === INTERNAL
          ? { status: 'failed', code: 'job-error', message, retryable: true }
          : { status: 'failed', code, message, retryable };
    } finally {
      clearInterval(heartbeat);
      this.running.delete(job.id);
    }
    if (outcome.status === 'completed') {
      const earlier = madeBefore(gallery, job, outcome.assetIds);
      if (earlier !== null) {
        const message = `the same image is already in the library as item ${earlier} (same model, seed and settings): nothing new was added`;
        send({ type: 'notice', message });
        outcome = {
          ...outcome,
          summary: `${outcome.summary}; ${message}`,
          result: { ...outcome.result, alreadyInLibrary: earlier },
        };
      }
      jobs.complete(job.id, {
        assetIds: outcome.assetIds,
        summary: outcome.summary,
        ...(outcome.result ?? {}),
      });
      const details = jobDetailsSchema.parse(outcome.result ?? {});
      send({
        type: 'completed',
        assetIds: outcome.assetIds,
        summary: outcome.summary,
        ...(Object.keys(details).length === 0 ? {} : { details }),
      });
    } else if (outcome.status === 'paused') {
      jobs.markPaused(job.id, outcome.checkpoint);
      send({ type: 'paused' });
    } else if (outcome.status === 'cancelled') {
      jobs.markCancelled(job.id);
      send({ type: 'cancelled' });
    } else {
      const { code, message, retryable } = outcome;
      jobs.fail(job.id, { code, message, retryable });
      send({ type: 'failed', code, message, retryable });
    }
    return jobs.get(job.id)!;
  }
}
