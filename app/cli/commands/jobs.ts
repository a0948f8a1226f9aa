/**
 * tessera jobs [list] | run | resume ID | pause ID | cancel ID | retry ID | move ID front|back | prune
 * The persistent queue in <home>/library: jobs survive crashes, and `run` or `resume` carries on
 * from where an interrupted or paused job stopped.
 */
import type { JobRow } from '../../gallery/index.ts';
import { JobRunner } from '../../jobs/runner.ts';
import { resolveModel } from '../../models/installed.ts';
import type { CommandContext } from '../context.ts';
import { CliError } from '../errors.ts';
import { runJobs } from '../run-jobs.ts';
import type { Values } from '../options.ts';

export const JOBS_USAGE = `  jobs [list]            the queue: unfinished jobs first, then the finished ones
  jobs run               run every queued or interrupted job now
  jobs resume ID         continue a paused or interrupted job
  jobs pause ID | cancel ID | retry ID | move ID front|back | prune`;

function describe(job: JobRow): string {
  const request = job.request as { prompt?: string; folder?: string };
  const what = request.prompt ?? request.folder ?? '';
  const progress = job.total > 0 ? `${job.done}/${job.total}` : '';
  const error = job.error === null ? '' : `  ${job.error.message}`;
  return `${job.id}  ${job.status.padEnd(11)}  ${job.kind.padEnd(14)}  ${progress.padEnd(9)}  ${what}${error}`;
}

function runner(ctx: CommandContext): JobRunner {
  return new JobRunner({
    gallery: ctx.library(),
    client: ctx.client,
    resolveModel: (id) => resolveModel(ctx.home, id),
  });
}

function findJob(ctx: CommandContext, id: string | undefined): JobRow {
  if (id === undefined) throw new CliError('name a job id (see `tessera jobs list`)', 2);
  const jobs = ctx.library().jobs;
  const exact = jobs.get(id);
  if (exact !== null) return exact;
  // Ids are UUIDs: a unique prefix is enough, as with git hashes.
  const matches = jobs.list({ limit: 10_000 }).filter((j) => j.id.startsWith(id));
  if (matches.length === 1) return matches[0]!;
  throw new CliError(
    matches.length === 0
      ? `there is no job "${id}"`
      : `"${id}" matches several jobs: give more of the id`,
  );
}

export async function jobsCommand(
  ctx: CommandContext,
  _values: Values,
  args: string[],
): Promise<void> {
  const [verb, id, where] = args;
  const jobs = ctx.library().jobs;
  const label = (job: JobRow) => `${job.kind} ${job.id.slice(0, 8)}`;
  const report = (rows: JobRow[]) => {
    for (const row of rows) ctx.print(ctx.json ? JSON.stringify(row) : describe(row));
  };
  switch (verb) {
    case undefined:
    case 'list': {
      // Opening the runner turns jobs whose process died into 'interrupted' first.
      runner(ctx);
      const rows = jobs.list({ limit: 200 });
      if (ctx.json) return ctx.print(JSON.stringify(rows));
      report(rows);
      if (rows.length === 0) ctx.print('(the queue is empty)');
      return;
    }
    case 'run':
      return report(await runJobs(ctx, undefined, { label }));
    case 'resume': {
      const job = findJob(ctx, id);
      if (job.status === 'paused') jobs.resume(job.id);
      else if (job.status !== 'queued' && job.status !== 'interrupted')
        throw new CliError(
          `job ${job.id} is ${job.status}; only paused, queued or interrupted jobs resume (retry a failed one)`,
        );
      return report(await runJobs(ctx, [job.id], { label }));
    }
    case 'pause':
    case 'cancel':
      return report([runner(ctx).request(findJob(ctx, id).id, verb)]);
    case 'retry':
      return report([jobs.retry(findJob(ctx, id).id)]);
    case 'move': {
      if (where !== 'front' && where !== 'back') throw new CliError('jobs move ID front|back', 2);
      const job = findJob(ctx, id);
      jobs.move(job.id, where);
      return report([jobs.get(job.id)!]);
    }
    case 'prune': {
      const removed = jobs.prune();
      ctx.print(ctx.json ? JSON.stringify({ removed }) : `${removed} finished job(s) removed`);
      return;
    }
    default:
      throw new CliError(`unknown jobs command "${verb}"\n${JOBS_USAGE}`, 2);
  }
}
