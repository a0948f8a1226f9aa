/**
 * Runs queued jobs in this process for a CLI command, showing their progress. The first
 * Ctrl-C pauses the running job at its next safe point (its state stays in the library, and
 * `tessera jobs resume ID` continues it); a second one leaves at once, and the next run picks
 * the job up as interrupted.
 */
import type { QueueEvent } from '../common/queue-contract.ts';
import type { JobRow } from '../gallery/index.ts';
import { JobRunner } from '../jobs/runner.ts';
import { resolveModel } from '../models/installed.ts';
import type { CommandContext } from './context.ts';
import { ProgressBar } from './progress.ts';

export interface RunJobsOptions {
  label: (job: JobRow) => string;
  /** extra handling of events (per-file lines of a captioning job) */
  onEvent?: (event: QueueEvent) => void;
}

export async function runJobs(
  ctx: CommandContext,
  ids: readonly string[] | undefined,
  options: RunJobsOptions,
): Promise<JobRow[]> {
  const gallery = ctx.library();
  let bar: ProgressBar | null = null;
  let current: string | null = null;
  const runner = new JobRunner({
    gallery,
    client: ctx.client,
    resolveModel: (id) => resolveModel(ctx.home, id),
    onEvent: (event) => {
      if (event.jobId !== current) {
        bar?.done();
        current = event.jobId;
        const job = gallery.jobs.get(event.jobId);
        bar = new ProgressBar(job === null ? event.jobId : options.label(job), ctx.json);
      }
      if (event.type === 'progress')
        bar?.update(event.done, event.total, event.unit, event.ratePerSecond, event.etaSeconds);
      if (event.type === 'notice') {
        bar?.done();
        ctx.warn(`note: ${event.message}`);
      }
      options.onEvent?.(event);
    },
  });
  let interrupts = 0;
  const onSigint = () => {
    interrupts++;
    if (interrupts > 1 || current === null) process.exit(130);
    bar?.done();
    ctx.warn(`pausing job ${current} at its next safe point (Ctrl-C again to quit at once)`);
    runner.request(current, 'pause');
  };
  process.on('SIGINT', onSigint);
  try {
    return await runner.drain(ids);
  } finally {
    process.off('SIGINT', onSigint);
    (bar as ProgressBar | null)?.done();
  }
}
