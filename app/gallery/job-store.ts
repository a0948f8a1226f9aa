/**
 * The persistent job queue. Several processes may share it (CLI runs side by side), so every
 * read-then-write runs in an immediate transaction: two workers can never claim one job.
 * A worker owns a running job by pid and proves it is alive with heartbeats.
 */
import { randomUUID } from 'node:crypto';
import type { GalleryContext } from './context.ts';
import { invalid, notFound } from './errors.ts';
import { jobFiles, recordJobFile } from './job-files.ts';
import type { JobError, JobKind, JobRow, JobStatus, JobStore } from './job-types.ts';

const KINDS: readonly JobKind[] = ['generate', 'infill', 'caption-folder'];
const STATUSES: readonly JobStatus[] = [
  'queued',
  'running',
  'paused',
  'completed',
  'failed',
  'cancelled',
  'interrupted',
];
const FINISHED_SQL = `('completed', 'failed', 'cancelled')`;
const isFinished = (s: JobStatus) => s === 'completed' || s === 'failed' || s === 'cancelled';

interface Row {
  id: string;
  kind: JobKind;
  status: JobStatus;
  position: number;
  batch_id: string | null;
  model_id: string;
  request_json: string;
  done: number;
  total: number;
  checkpoint_json: string | null;
  result_json: string | null;
  error_json: string | null;
  control: 'pause' | 'cancel' | null;
  owner_pid: number | null;
  heartbeat_at: number | null;
  attempts: number;
  created_at: number;
  started_at: number | null;
  finished_at: number | null;
}

const parse = (json: string | null): unknown => (json === null ? null : JSON.parse(json));

function toJob(r: Row): JobRow {
  return {
    id: r.id,
    kind: r.kind,
    status: r.status,
    position: r.position,
    batchId: r.batch_id,
    modelId: r.model_id,
    request: parse(r.request_json),
    done: r.done,
    total: r.total,
    checkpoint: parse(r.checkpoint_json),
    result: parse(r.result_json),
    error: parse(r.error_json) as JobError | null,
    control: r.control,
    ownerPid: r.owner_pid,
    heartbeatAt: r.heartbeat_at,
    attempts: r.attempts,
    createdAt: r.created_at,
    startedAt: r.started_at,
    finishedAt: r.finished_at,
  };
}

/** JSON text for a column; undefined (which JSON cannot hold) is stored as null. */
const json = (value: unknown) => JSON.stringify(value ?? null);

function assertCount(n: unknown, what: string): asserts n is number {
  if (!Number.isSafeInteger(n) || (n as number) < 0)
    throw invalid(`${what} must be a whole number of 0 or more, got ${String(n)}`);
}

function assertPid(pid: unknown): asserts pid is number {
  if (!Number.isSafeInteger(pid) || (pid as number) <= 0)
    throw invalid(`${String(pid)} is not a process id`);
}

export function createJobStore(ctx: GalleryContext): JobStore {
  const row = (id: string) => ctx.get<Row>('SELECT * FROM jobs WHERE id = ?', id);
  const mustGet = (id: string): Row => {
    const r = typeof id === 'string' ? row(id) : undefined;
    if (r === undefined)
      throw notFound(
        `no job ${String(id)} in the queue: it may have been pruned; refresh the queue`,
      );
    return r;
  };
  const reread = (id: string) => toJob(row(id)!);
  const unfinished = (r: Row, action: string) => {
    if (isFinished(r.status))
      throw invalid(`job ${r.id} already ended (${r.status}): there is nothing to ${action}`);
  };
  const minPosition = () =>
    ctx.get<{ p: number | null }>(
      `SELECT min(position) AS p FROM jobs WHERE status NOT IN ${FINISHED_SQL}`,
    )!.p;
  const maxPosition = () => ctx.get<{ p: number | null }>('SELECT max(position) AS p FROM jobs')!.p;
  const toBack = () => (maxPosition() ?? 0) + 1;

  /** Ends a job: terminal status, owner released, pending control cleared. */
  const finish = (id: string, status: JobStatus, set: string, ...params: unknown[]) => {
    ctx.write(() => {
      unfinished(mustGet(id), status === 'completed' ? 'complete' : 'end');
      ctx.run(
        `UPDATE jobs SET status = ?, finished_at = ?, owner_pid = NULL, control = NULL ${set}
         WHERE id = ?`,
        status,
        Date.now(),
        ...params,
        id,
      );
    });
  };

  const takeRunning = (r: Row, ownerPid: number): JobRow => {
    const now = Date.now();
    ctx.run(
      `UPDATE jobs SET status = 'running', owner_pid = ?, heartbeat_at = ?, control = NULL,
         started_at = coalesce(started_at, ?) WHERE id = ?`,
      ownerPid,
      now,
      now,
      r.id,
    );
    return reread(r.id);
  };

  /** Gives every unfinished job a whole-number position, keeping their order. */
  const renumber = () => {
    const ids = ctx
      .all<{ id: string }>(
        `SELECT id FROM jobs WHERE status NOT IN ${FINISHED_SQL} ORDER BY position, created_at`,
      )
      .map((r) => r.id);
    ids.forEach((jobId, i) => ctx.run('UPDATE jobs SET position = ? WHERE id = ?', i + 1, jobId));
  };

  /** A position just before `anchorId` (after its predecessor), or null if none is left. */
  const positionBefore = (anchorId: string, movingId: string): number | null => {
    const anchor = mustGet(anchorId);
    unfinished(anchor, 'move before');
    const prev = ctx.get<{ p: number | null }>(
      `SELECT max(position) AS p FROM jobs WHERE status NOT IN ${FINISHED_SQL}
       AND position < ? AND id <> ?`,
      anchor.position,
      movingId,
    )!.p;
    if (prev === null) return anchor.position - 1;
    const mid = (prev + anchor.position) / 2;
    return mid > prev && mid < anchor.position ? mid : null;
  };

  const store: JobStore = {
    submit(j) {
      if (!KINDS.includes(j.kind))
        throw invalid(`unknown job kind ${JSON.stringify(j.kind)}: use ${KINDS.join(', ')}`);
      if (typeof j.modelId !== 'string' || j.modelId === '') throw invalid('name the model to use');
      if (j.request === undefined) throw invalid('the job has no request');
      const total = j.total ?? 0;
      assertCount(total, 'total');
      const id = randomUUID();
      return ctx.write(() => {
        const position = j.front === true ? (minPosition() ?? 1) - 1 : toBack();
        ctx.run(
          `INSERT INTO jobs (id, kind, status, position, batch_id, model_id, request_json, total,
             created_at)
           VALUES (?, ?, 'queued', ?, ?, ?, ?, ?, ?)`,
          id,
          j.kind,
          position,
          j.batchId ?? null,
          j.modelId,
          json(j.request),
          total,
          Date.now(),
        );
        return reread(id);
      });
    },

    get(id) {
      const r = row(id);
      return r === undefined ? null : toJob(r);
    },

    list(f = {}) {
      const limit = f.limit ?? 500;
      assertCount(limit, 'limit');
      if (f.statuses !== undefined && !f.statuses.every((s) => STATUSES.includes(s)))
        throw invalid(`job statuses are ${STATUSES.join(', ')}`);
      return ctx
        .all<Row>(
          `SELECT * FROM jobs
           WHERE @statuses IS NULL OR status IN (SELECT value FROM json_each(@statuses))
           ORDER BY status IN ${FINISHED_SQL},
             CASE WHEN status IN ${FINISHED_SQL} THEN NULL ELSE position END,
             finished_at DESC, created_at DESC
           LIMIT @limit`,
          { statuses: f.statuses === undefined ? null : JSON.stringify(f.statuses), limit },
        )
        .map(toJob);
    },

    claimNext(ownerPid, kinds) {
      assertPid(ownerPid);
      return ctx.write(() => {
        const next = ctx.get<Row>(
          `SELECT * FROM jobs WHERE status IN ('queued', 'interrupted')
           AND (@kinds IS NULL OR kind IN (SELECT value FROM json_each(@kinds)))
           ORDER BY position LIMIT 1`,
          { kinds: kinds === undefined ? null : JSON.stringify(kinds) },
        );
        return next === undefined ? null : takeRunning(next, ownerPid);
      });
    },

    claim(id, ownerPid) {
      assertPid(ownerPid);
      return ctx.write(() => {
        const r = mustGet(id);
        return r.status === 'queued' || r.status === 'interrupted'
          ? takeRunning(r, ownerPid)
          : null;
      });
    },

    heartbeat(id, ownerPid) {
      return ctx.write(() => {
        const r = mustGet(id);
        if (r.status !== 'running' || r.owner_pid !== ownerPid)
          throw invalid(
            `job ${id} is ${r.status}${r.owner_pid === null ? '' : ` under process ${r.owner_pid}`}, ` +
              `not running under process ${ownerPid}: stop working on it`,
          );
        ctx.run('UPDATE jobs SET heartbeat_at = ? WHERE id = ?', Date.now(), id);
        return { control: r.control };
      });
    },

    progress(id, done, total) {
      assertCount(done, 'done');
      assertCount(total, 'total');
      if (ctx.run('UPDATE jobs SET done = ?, total = ? WHERE id = ?', done, total, id) === 0)
        mustGet(id);
    },

    checkpoint(id, checkpoint) {
      if (ctx.run('UPDATE jobs SET checkpoint_json = ? WHERE id = ?', json(checkpoint), id) === 0)
        mustGet(id);
    },

    complete(id, result) {
      finish(id, 'completed', ', result_json = ?, error_json = NULL', json(result));
    },

    fail(id, error) {
      if (typeof error?.code !== 'string' || typeof error.message !== 'string')
        throw invalid('a job failure needs a code and a message');
      const clean = {
        code: error.code,
        message: error.message,
        retryable: error.retryable === true,
      };
      finish(id, 'failed', ', error_json = ?', JSON.stringify(clean));
    },

    markCancelled(id) {
      finish(id, 'cancelled', '');
    },

    markPaused(id, checkpoint) {
      ctx.write(() => {
        unfinished(mustGet(id), 'pause');
        ctx.run(
          `UPDATE jobs SET status = 'paused', owner_pid = NULL, control = NULL,
             checkpoint_json = coalesce(?, checkpoint_json) WHERE id = ?`,
          checkpoint === null || checkpoint === undefined ? null : json(checkpoint),
          id,
        );
      });
    },

    requestControl(id, what) {
      if (what !== 'pause' && what !== 'cancel') throw invalid('ask to pause or to cancel');
      return ctx.write(() => {
        const r = mustGet(id);
        unfinished(r, what);
        if (r.status === 'running') {
          // A cancel overrides a pending pause; a pause never softens a pending cancel.
          if (!(what === 'pause' && r.control === 'cancel'))
            ctx.run('UPDATE jobs SET control = ? WHERE id = ?', what, id);
        } else if (what === 'cancel') {
          ctx.run(
            `UPDATE jobs SET status = 'cancelled', finished_at = ?, control = NULL WHERE id = ?`,
            Date.now(),
            id,
          );
        } else if (r.status !== 'paused') {
          ctx.run(`UPDATE jobs SET status = 'paused', control = NULL WHERE id = ?`, id);
        }
        return reread(id);
      });
    },

    resume(id) {
      return ctx.write(() => {
        const r = mustGet(id);
        if (r.status === 'paused')
          ctx.run(`UPDATE jobs SET status = 'queued', control = NULL WHERE id = ?`, id);
        else if (r.status !== 'queued')
          throw invalid(`job ${id} is ${r.status}, not paused: only a paused job can be resumed`);
        return reread(id);
      });
    },

    retry(id) {
      return ctx.write(() => {
        const r = mustGet(id);
        if (r.status !== 'failed' && r.status !== 'cancelled' && r.status !== 'interrupted')
          throw invalid(
            `job ${id} is ${r.status}: only failed, cancelled or interrupted jobs can be retried`,
          );
        // Back of the queue, as a newly submitted job; the checkpoint lets it resume.
        ctx.run(
          `UPDATE jobs SET status = 'queued', attempts = attempts + 1, error_json = NULL,
             finished_at = NULL, control = NULL, owner_pid = NULL, position = ? WHERE id = ?`,
          toBack(),
          id,
        );
        return reread(id);
      });
    },

    move(id, where) {
      ctx.write(() => {
        unfinished(mustGet(id), 'move');
        let position: number;
        if (where === 'front') position = (minPosition() ?? 1) - 1;
        else if (where === 'back') position = toBack();
        else {
          if (where?.before === id) return;
          let before = positionBefore(where.before, id);
          // Halving runs out of floating-point room after many moves to one spot.
          if (before === null) {
            renumber();
            before = positionBefore(where.before, id)!;
          }
          position = before;
        }
        ctx.run('UPDATE jobs SET position = ? WHERE id = ?', position, id);
      });
    },

    prune(olderThanMs = 0) {
      if (!Number.isFinite(olderThanMs) || olderThanMs < 0)
        throw invalid('olderThanMs must be 0 or more milliseconds');
      return ctx.write(() =>
        ctx.run(
          `DELETE FROM jobs WHERE status IN ${FINISHED_SQL} AND finished_at <= ?`,
          Date.now() - olderThanMs,
        ),
      );
    },

    recoverOrphans(isAlive, staleMs) {
      if (!Number.isFinite(staleMs) || staleMs < 0)
        throw invalid('staleMs must be 0 or more milliseconds');
      return ctx.write(() => {
        const now = Date.now();
        let recovered = 0;
        for (const r of ctx.all<Row>(`SELECT * FROM jobs WHERE status = 'running'`)) {
          const silent = r.heartbeat_at === null || now - r.heartbeat_at > staleMs;
          if (r.owner_pid !== null && isAlive(r.owner_pid) && !silent) continue;
          // What its owner was asked to do, and can no longer, takes effect now.
          const status =
            r.control === 'cancel' ? 'cancelled' : r.control === 'pause' ? 'paused' : 'interrupted';
          ctx.run(
            `UPDATE jobs SET status = ?, owner_pid = NULL, control = NULL,
               finished_at = CASE WHEN ? = 'cancelled' THEN ? ELSE finished_at END WHERE id = ?`,
            status,
            status,
            now,
            r.id,
          );
          recovered++;
        }
        return recovered;
      });
    },

    recordFile: (jobId, f) => recordJobFile(ctx, jobId, f),
    files: (jobId, q) => jobFiles(ctx, jobId, q),
  };
  return store;
}
