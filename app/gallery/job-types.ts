/** The persistent job queue's public shapes (docs/architecture.md §The job queue). */
export type JobStatus =
  'queued' | 'running' | 'paused' | 'completed' | 'failed' | 'cancelled' | 'interrupted';
export type JobKind = 'generate' | 'infill' | 'caption-folder';
export interface JobError {
  code: string;
  message: string;
  retryable: boolean;
}

export interface JobRow {
  id: string;
  kind: JobKind;
  status: JobStatus;
  position: number;
  batchId: string | null;
  modelId: string;
  request: unknown;
  done: number;
  total: number;
  checkpoint: unknown | null;
  result: unknown | null;
  error: JobError | null;
  control: 'pause' | 'cancel' | null;
  ownerPid: number | null;
  heartbeatAt: number | null;
  attempts: number;
  createdAt: number;
  startedAt: number | null;
  finishedAt: number | null;
}

/** What a captioning job did to one file. */
export type JobFileStatus = 'captioned' | 'suggestion' | 'skipped' | 'failed' | 'problem';
export interface JobFile {
  /** report order within the job; the paging cursor */
  seq: number;
  path: string;
  status: JobFileStatus;
  caption: string | null;
  message: string | null;
  /** the library photo at that path (its hash, for a thumbnail); null when there is none */
  sha256: string | null;
}
export interface JobFilePage {
  files: JobFile[];
  /** pass as `after` for the next page; null on the last */
  next: number | null;
  /** every file of the job by status (whatever the page's filter) */
  counts: Record<JobFileStatus, number>;
}

export interface JobStore {
  submit(j: {
    kind: JobKind;
    modelId: string;
    request: unknown;
    batchId?: string | null;
    front?: boolean;
    total?: number;
  }): JobRow;
  get(id: string): JobRow | null;
  /** Unfinished jobs in queue order first, then finished ones newest first. */
  list(f?: { statuses?: JobStatus[]; limit?: number }): JobRow[];
  /** Atomically takes the first queued or interrupted job by position and marks it running. */
  claimNext(ownerPid: number, kinds?: JobKind[]): JobRow | null;
  /** The same for one job, if it is queued or interrupted. */
  claim(id: string, ownerPid: number): JobRow | null;
  heartbeat(id: string, ownerPid: number): { control: 'pause' | 'cancel' | null };
  progress(id: string, done: number, total: number): void;
  checkpoint(id: string, checkpoint: unknown): void;
  complete(id: string, result: unknown): void;
  fail(id: string, error: JobError): void;
  markCancelled(id: string): void;
  /** A null checkpoint keeps the last one stored. */
  markPaused(id: string, checkpoint: unknown | null): void;
  /** queued/interrupted (and paused, for cancel) change at once; running sets `control` for
   * its owner; finished jobs are refused. */
  requestControl(id: string, what: 'pause' | 'cancel'): JobRow;
  /** paused → queued, keeping the checkpoint. */
  resume(id: string): JobRow;
  /** failed/cancelled/interrupted → queued, attempts + 1, error cleared, checkpoint kept. */
  retry(id: string): JobRow;
  move(id: string, where: 'front' | 'back' | { before: string }): void;
  /** Deletes finished (completed/failed/cancelled) jobs that finished at least olderThanMs ago. */
  prune(olderThanMs?: number): number;
  /** Running jobs whose owner is dead or silent past staleMs → interrupted (or paused/cancelled
   * when that was asked of them); returns how many. */
  recoverOrphans(isAlive: (pid: number) => boolean, staleMs: number): number;
  /**
   * Records what a job did to one file (a later report of the same path updates it); returns
   * the hash of the library photo at that path, as `files` gives it, or null.
   */
  recordFile(
    jobId: string,
    f: { path: string; status: JobFileStatus; caption: string | null; message: string | null },
  ): string | null;
  /** A job's per-file results in report order, a page at a time (at most 1000 files). */
  files(jobId: string, q?: { status?: JobFileStatus; after?: number; limit?: number }): JobFilePage;
}
