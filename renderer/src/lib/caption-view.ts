/**
 * Folder captioning's view of the queue: the captioning jobs newest first, the controls a job's
 * status allows, the per-file rows a filter keeps, and what the empty list says. Pure.
 */
import type { JobView } from '../../../app/common/contract.ts';

export type FileStatus = 'captioned' | 'suggestion' | 'skipped' | 'failed' | 'problem';

export const FILE_STATUSES: readonly { key: FileStatus; label: string; tone: string }[] = [
  { key: 'captioned', label: 'Captioned', tone: 'tone-ok' },
  { key: 'suggestion', label: 'Suggestion', tone: 'tone-info' },
  { key: 'skipped', label: 'Skipped', tone: '' },
  { key: 'failed', label: 'Failed', tone: 'tone-bad' },
  { key: 'problem', label: 'Problem', tone: 'tone-warn' },
];

/** Captioning jobs, newest first. */
export function captionJobsOf<J extends Pick<JobView, 'kind' | 'createdAt'>>(
  jobs: readonly J[],
): J[] {
  return jobs.filter((j) => j.kind === 'caption-folder').sort((a, b) => b.createdAt - a.createdAt);
}

export type JobControl = 'pause' | 'resume' | 'retry' | 'cancel';

/** The actions a job in `status` offers, in the order they are shown. */
export function controlsFor(status: JobView['status']): JobControl[] {
  const out: JobControl[] = [];
  if (status === 'running' || status === 'queued') out.push('pause');
  if (status === 'paused') out.push('resume');
  if (status === 'failed' || status === 'cancelled' || status === 'interrupted') out.push('retry');
  if (status === 'running' || status === 'queued' || status === 'paused') out.push('cancel');
  return out;
}

export function filterFiles<F extends { status: FileStatus }>(
  files: readonly F[],
  filter: FileStatus | 'all',
): readonly F[] {
  return filter === 'all' ? files : files.filter((f) => f.status === filter);
}

/** What an empty file list says, by whether the library's rows are read and the job's status. */
export function emptyFilesMessage(
  history: 'none' | 'loading' | 'loaded',
  status: JobView['status'],
): string {
  if (history !== 'loaded') return 'Reading the results…';
  if (status === 'completed' || status === 'failed') return 'No files were reported for this job.';
  return 'Files appear here as they are captioned.';
}

/** The folder part of a file's path (either separator), or '' for a bare name. */
export function folderOf(path: string): string {
  const slash = Math.max(path.lastIndexOf('/'), path.lastIndexOf('\\'));
  return slash > 0 ? path.slice(0, slash) : '';
}
