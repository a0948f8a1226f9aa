/**
 * The queue as the UI sees it: `jobs:list`, kept fresh by `jobs:event`, plus what only the
 * events carry (live progress with ETA, the latest preview, notices) and captioning's per-file
 * results, which the library also keeps (`jobs:files`): read back when a job is shown, then
 * kept current by the events. One subscription for the whole app, so nothing is missed while
 * a screen is closed.
 */
import type { JobView, ResponseOf } from '../../../app/common/contract.ts';
import type { QueueEvent } from '../../../app/common/queue-contract.ts';
import { invoke, on, onConnection } from '../bridge/index.ts';
import { missedResults } from '../lib/generate.ts';
import { reportError, sessionStore, toast } from './app.ts';
import { createStore } from './store.ts';

import type { FileStatus } from '../lib/caption-view.ts';

export type { FileStatus };

export interface FileEntry {
  path: string;
  status: FileStatus;
  caption: string | null;
  message: string | null;
  /** the library photo the file is (its thumbnail); null when it is not one */
  sha256: string | null;
  /** for an event, its arrival number (see LiveJob.arrivals); 0 for a row read back */
  arrived: number;
}

export interface LiveJob {
  provider: string | null;
  progress: {
    done: number;
    total: number;
    unit: string;
    ratePerSecond: number;
    etaSeconds: number | null;
  } | null;
  preview: { rgb: string; width: number; height: number } | null;
  notices: string[];
  /** captioning results, one per path in the order first reported; changed in place,
   * `filesVersion` tells React */
  files: FileEntry[];
  filesVersion: number;
  /** where each path sits in `files` */
  fileIndex: Map<string, number>;
  counts: Record<FileStatus, number>;
  /** how many file events have arrived: orders them against a read of the library */
  arrivals: number;
  /** the per-file results kept in the library: not read yet, being read, or read */
  history: 'none' | 'loading' | 'loaded';
}

export interface JobsState {
  jobs: JobView[];
  loaded: boolean;
  live: Record<string, LiveJob>;
  /** the latest status line for the aria-live region */
  announcement: string;
}

export const jobsStore = createStore<JobsState>({
  jobs: [],
  loaded: false,
  live: {},
  announcement: '',
});

const noCounts = (): Record<FileStatus, number> => ({
  captioned: 0,
  suggestion: 0,
  skipped: 0,
  failed: 0,
  problem: 0,
});

function emptyLive(): LiveJob {
  return {
    provider: null,
    progress: null,
    preview: null,
    notices: [],
    files: [],
    filesVersion: 0,
    fileIndex: new Map(),
    counts: noCounts(),
    arrivals: 0,
    history: 'none',
  };
}

/**
 * Adds a file's result, or updates its row when the path was reported before: a resumed job
 * reports its done files again as skipped, which never hides the caption it wrote (the library
 * keeps the same rule).
 */
function upsertFile(l: LiveJob, f: FileEntry): void {
  const at = l.fileIndex.get(f.path);
  if (at === undefined) {
    l.fileIndex.set(f.path, l.files.length);
    l.files.push(f);
    l.counts[f.status]++;
    return;
  }
  const old = l.files[at]!;
  if (f.status === 'skipped' && (old.status === 'captioned' || old.status === 'suggestion')) return;
  l.counts[old.status]--;
  l.counts[f.status]++;
  l.files[at] = f;
}

/**
 * The library's rows in their order, then what the events added: files it did not have yet,
 * and newer results for files it had (events that arrived after the read began).
 */
function withHistory(l: LiveJob, rows: FileEntry[], read: Set<string>, mark: number): LiveJob {
  const next: LiveJob = {
    ...l,
    files: [],
    fileIndex: new Map(),
    counts: noCounts(),
    filesVersion: l.filesVersion + 1,
  };
  for (const f of rows) upsertFile(next, f);
  for (const f of l.files) if (!read.has(f.path) || f.arrived > mark) upsertFile(next, f);
  return next;
}

export function liveOf(state: JobsState, jobId: string): LiveJob | undefined {
  return state.live[jobId];
}

let refreshTimer: ReturnType<typeof setTimeout> | null = null;
let refreshing = false;
let refreshAgain = false;

export async function refreshJobs(): Promise<void> {
  if (refreshing) {
    refreshAgain = true;
    return;
  }
  refreshing = true;
  try {
    const jobs = await invoke('jobs:list', {});
    jobsStore.set((s) => ({ ...s, jobs, loaded: true }));
    // Jobs of this session that finished while the page was away (a reload, a reconnect).
    const { jobIds, results } = sessionStore.get();
    for (const m of missedResults(jobIds, results, jobs)) void collectResults(m.jobId, m.assetIds);
  } catch (err) {
    reportError('Could not read the queue', err);
  } finally {
    refreshing = false;
    if (refreshAgain) {
      refreshAgain = false;
      void refreshJobs();
    }
  }
}

function scheduleRefresh(ms: number): void {
  if (refreshTimer !== null) return;
  refreshTimer = setTimeout(() => {
    refreshTimer = null;
    void refreshJobs();
  }, ms);
}

function titleOf(jobId: string): string {
  const job = jobsStore.get().jobs.find((j) => j.id === jobId);
  if (job === undefined) return 'A job';
  const t = job.title.length > 60 ? `${job.title.slice(0, 57)}…` : job.title;
  return `“${t}”`;
}

function updateLive(jobId: string, fn: (live: LiveJob) => LiveJob, announcement?: string): void {
  jobsStore.set((s) => ({
    ...s,
    live: { ...s.live, [jobId]: fn(s.live[jobId] ?? emptyLive()) },
    announcement: announcement ?? s.announcement,
  }));
}

async function collectResults(jobId: string, assetIds: number[]): Promise<void> {
  if (!sessionStore.get().jobIds.includes(jobId)) return;
  for (const id of assetIds) {
    try {
      const item = await invoke('gallery:get', { id });
      sessionStore.set((s) =>
        s.results.some((r) => r.id === id)
          ? s
          : {
              ...s,
              results: [{ id, sha256: item.sha256, title: item.title, jobId }, ...s.results].slice(
                0,
                200,
              ),
            },
      );
    } catch (err) {
      reportError('A finished image could not be loaded', err);
    }
  }
}

export function handleQueueEvent(e: QueueEvent): void {
  const known = jobsStore.get().jobs.some((j) => j.id === e.jobId);
  switch (e.type) {
    case 'started':
      updateLive(e.jobId, (l) => ({ ...l, provider: e.provider }), `${titleOf(e.jobId)} started`);
      scheduleRefresh(50);
      break;
    case 'progress':
      updateLive(e.jobId, (l) => ({
        ...l,
        progress: {
          done: e.done,
          total: e.total,
          unit: e.unit,
          ratePerSecond: e.ratePerSecond,
          etaSeconds: e.etaSeconds,
        },
      }));
      if (!known) scheduleRefresh(50);
      break;
    case 'preview':
      updateLive(e.jobId, (l) => ({
        ...l,
        preview: { rgb: e.imageRgb, width: e.width, height: e.height },
      }));
      break;
    case 'file':
      updateLive(e.jobId, (l) => {
        const next = { ...l, counts: { ...l.counts }, arrivals: l.arrivals + 1 };
        upsertFile(next, {
          path: e.path,
          status: e.status,
          caption: e.caption,
          message: e.message,
          sha256: e.sha256 ?? null,
          arrived: next.arrivals,
        });
        return { ...next, filesVersion: l.filesVersion + 1 };
      });
      break;
    case 'notice':
      updateLive(e.jobId, (l) =>
        l.notices.includes(e.message) ? l : { ...l, notices: [...l.notices, e.message] },
      );
      break;
    case 'paused':
      updateLive(e.jobId, (l) => l, `${titleOf(e.jobId)} paused`);
      scheduleRefresh(50);
      break;
    case 'cancelled':
      updateLive(e.jobId, (l) => l, `${titleOf(e.jobId)} cancelled`);
      scheduleRefresh(50);
      break;
    case 'completed':
      updateLive(
        e.jobId,
        (l) => ({
          ...l,
          progress: l.progress === null ? null : { ...l.progress, etaSeconds: 0 },
        }),
        `${titleOf(e.jobId)} completed${e.summary ? `: ${e.summary}` : ''}`,
      );
      scheduleRefresh(50);
      void collectResults(e.jobId, e.assetIds);
      break;
    case 'failed':
      updateLive(e.jobId, (l) => l, `${titleOf(e.jobId)} failed: ${e.message}`);
      scheduleRefresh(50);
      break;
  }
}

/**
 * Reads a captioning job's per-file results back from the library, a page at a time, so the
 * list survives a reload (or a window that was closed while the job ran). Once per job, unless
 * the event stream dropped meanwhile.
 */
export async function loadJobFiles(jobId: string): Promise<void> {
  const state = jobsStore.get().live[jobId]?.history ?? 'none';
  if (state !== 'none') return;
  const mark = jobsStore.get().live[jobId]?.arrivals ?? 0;
  updateLive(jobId, (l) => ({ ...l, history: 'loading' }));
  const rows: FileEntry[] = [];
  const read = new Set<string>();
  try {
    for (let after: number | null = 0; after !== null;) {
      const page: ResponseOf<'jobs:files'> = await invoke('jobs:files', {
        jobId,
        after,
        limit: 1000,
      });
      for (const { path, status, caption, message, sha256 } of page.files) {
        rows.push({ path, status, caption, message, sha256, arrived: 0 });
        read.add(path);
      }
      updateLive(jobId, (l) => withHistory(l, rows, read, mark));
      after = page.next;
    }
    updateLive(jobId, (l) => ({ ...l, history: 'loaded' }));
  } catch (err) {
    updateLive(jobId, (l) => ({ ...l, history: 'none' }));
    reportError('Could not read the per-file results', err);
  }
}

let started = false;

/** Subscribes once for the app's lifetime. */
export function startJobs(): void {
  if (started) return;
  started = true;
  on('jobs:event', handleQueueEvent);
  let wasOpen = false;
  onConnection((state) => {
    // After a reconnect, events were missed: read the queue again, and the per-file
    // results again when a screen next shows them.
    if (state === 'open') {
      if (wasOpen) {
        jobsStore.set((s) => ({
          ...s,
          live: Object.fromEntries(
            Object.entries(s.live).map(([id, l]) => [
              id,
              l.history === 'loaded' ? { ...l, history: 'none' as const } : l,
            ]),
          ),
        }));
        void refreshJobs();
      }
      wasOpen = true;
    }
  });
  void refreshJobs();
}

export type JobAction = 'cancel' | 'pause' | 'resume' | 'retry' | 'front' | 'back';

const ACTION_TITLES: Record<JobAction, string> = {
  cancel: 'Could not cancel the job',
  pause: 'Could not pause the job',
  resume: 'Could not resume the job',
  retry: 'Could not retry the job',
  front: 'Could not move the job',
  back: 'Could not move the job',
};

export async function jobAction(action: JobAction, jobId: string): Promise<void> {
  try {
    if (action === 'front' || action === 'back')
      await invoke('jobs:move', { jobId, where: action });
    else await invoke(`jobs:${action}`, { jobId });
  } catch (err) {
    reportError(ACTION_TITLES[action], err);
  }
  await refreshJobs();
}

export async function pruneJobs(): Promise<void> {
  try {
    const { removed } = await invoke('jobs:prune', {});
    toast(removed === 0 ? 'No finished jobs to prune' : `Removed ${removed} finished job(s)`);
  } catch (err) {
    reportError('Could not prune finished jobs', err);
  }
  await refreshJobs();
}

export const isFinished = (j: JobView) =>
  j.status === 'completed' || j.status === 'failed' || j.status === 'cancelled';
