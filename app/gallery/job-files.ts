/**
 * What a captioning job did to each file, kept in the library (schema 50) so its list can be
 * read back after the window that watched it closed. One row per (job, path), in the order
 * files were first reported, paged by that order.
 */
import type { GalleryContext } from './context.ts';
import { invalid, notFound } from './errors.ts';
import { rootOf } from './library-files.ts';
import type { JobFile, JobFilePage, JobFileStatus } from './job-types.ts';

export const JOB_FILE_STATUSES: readonly JobFileStatus[] = [
  'captioned',
  'suggestion',
  'skipped',
  'failed',
  'problem',
];
const MAX_PAGE = 1000;

function assertJob(ctx: GalleryContext, jobId: unknown): asserts jobId is string {
  if (typeof jobId !== 'string' || ctx.get('SELECT 1 FROM jobs WHERE id = ?', jobId) === undefined)
    throw notFound(`no job ${String(jobId)} in the queue: it may have been pruned; refresh`);
}

function assertStatus(status: unknown): asserts status is JobFileStatus {
  if (!JOB_FILE_STATUSES.includes(status as JobFileStatus))
    throw invalid(
      `a file's result is one of ${JOB_FILE_STATUSES.join(', ')}, got ${JSON.stringify(status)}`,
    );
}

/** The library photo whose file is at `path` (the hash its asset is served by), or null. */
function photoAt(ctx: GalleryContext, path: string): string | null {
  const root = rootOf(ctx, path);
  if (root === null) return null;
  const row = ctx.get<{ sha256: string }>(
    `SELECT a.sha256 FROM library_files f JOIN assets a ON a.id = f.asset_id
     WHERE f.root_id = ? AND f.rel_path = ?`,
    root.rootId,
    root.relPath,
  );
  return row?.sha256 ?? null;
}

/**
 * Records one file's result. A file reported again (the job resumed or was retried) takes the
 * new result, except that "skipped, already captioned" never hides the caption this same job
 * wrote before it was paused.
 */
export function recordJobFile(
  ctx: GalleryContext,
  jobId: string,
  f: { path: string; status: JobFileStatus; caption: string | null; message: string | null },
): string | null {
  if (typeof f.path !== 'string' || f.path === '') throw invalid('name the file by its path');
  assertStatus(f.status);
  ctx.write(() => {
    assertJob(ctx, jobId);
    ctx.run(
      `INSERT INTO job_files (job_id, seq, path, status, caption, message)
       VALUES (@job, (SELECT coalesce(max(seq), 0) + 1 FROM job_files WHERE job_id = @job),
         @path, @status, @caption, @message)
       ON CONFLICT (job_id, path) DO UPDATE SET
         status = excluded.status, caption = excluded.caption, message = excluded.message
       WHERE NOT (excluded.status = 'skipped' AND job_files.status IN ('captioned', 'suggestion'))`,
      {
        job: jobId,
        path: f.path,
        status: f.status,
        caption: f.caption ?? null,
        message: f.message ?? null,
      },
    );
  });
  return photoAt(ctx, f.path);
}

/** A page of a job's files in report order, optionally of one status; `after` is a cursor. */
export function jobFiles(
  ctx: GalleryContext,
  jobId: string,
  q: { status?: JobFileStatus; after?: number; limit?: number } = {},
): JobFilePage {
  if (q.status !== undefined) assertStatus(q.status);
  const after = q.after ?? 0;
  if (!Number.isSafeInteger(after) || after < 0)
    throw invalid(`the cursor must be a whole number of 0 or more, got ${String(q.after)}`);
  const limit = q.limit ?? 200;
  if (!Number.isSafeInteger(limit) || limit < 1 || limit > MAX_PAGE)
    throw invalid(`a page holds 1 to ${MAX_PAGE} files, got ${String(q.limit)}`);
  return ctx.db.transaction(() => {
    assertJob(ctx, jobId);
    const rows = ctx.all<Omit<JobFile, 'sha256'>>(
      `SELECT seq, path, status, caption, message FROM job_files
       WHERE job_id = @job AND (@status IS NULL OR status = @status) AND seq > @after
       ORDER BY seq LIMIT @limit`,
      { job: jobId, status: q.status ?? null, after, limit: limit + 1 },
    );
    const more = rows.length > limit;
    const files = (more ? rows.slice(0, limit) : rows).map((r) => ({
      ...r,
      sha256: photoAt(ctx, r.path),
    }));
    const counts = Object.fromEntries(JOB_FILE_STATUSES.map((s) => [s, 0])) as Record<
      JobFileStatus,
      number
    >;
    for (const r of ctx.all<{ status: JobFileStatus; n: number }>(
      'SELECT status, count(*) AS n FROM job_files WHERE job_id = ? GROUP BY status',
      jobId,
    ))
      counts[r.status] = r.n;
    return { files, next: more ? files[files.length - 1]!.seq : null, counts };
  })();
}
