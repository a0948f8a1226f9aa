/** Small helpers shared by the CLI commands that put results in the library. */
import type { ItemDetail, JobRow } from '../gallery/index.ts';
import type { CommandContext } from './context.ts';
import { CliError } from './errors.ts';
import type { Values } from './options.ts';

/** The library item a finished image job produced, or the job's failure as a CLI error. */
export function jobOutcomeItem(ctx: CommandContext, job: JobRow): ItemDetail {
  if (job.status === 'paused')
    throw new CliError(
      `job ${job.id} is paused; continue it with \`tessera jobs resume ${job.id}\``,
    );
  if (job.status === 'failed') throw new CliError(job.error?.message ?? `job ${job.id} failed`);
  if (job.status !== 'completed')
    throw new CliError(`job ${job.id} ended ${job.status}; see \`tessera jobs list\``);
  const ids = (job.result as { assetIds?: number[] } | null)?.assetIds ?? [];
  const item = ids.length > 0 ? ctx.library().getItem(ids[0]!) : null;
  if (item === null)
    throw new CliError(`job ${job.id} finished but its image is not in the library`);
  return item;
}

/** --board NAME: the board results also go to (created when missing). */
export function boardOption(ctx: CommandContext, values: Values): number | null {
  const name = values.board;
  if (typeof name !== 'string' || name.trim() === '') return null;
  const gallery = ctx.library();
  const found = gallery
    .listBoards()
    .find((b) => b.name.toLowerCase() === name.trim().toLowerCase());
  return found?.id ?? gallery.createBoard(name.trim());
}
