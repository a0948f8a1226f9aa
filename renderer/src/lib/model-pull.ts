/**
 * A hub pull as the "Add a model" dialog shows it, folded from `models:pull` events: running
 * (phase, bytes, speed, time left), done (the installed model) or stopped (why, and whether
 * pulling again resumes it). Pure.
 */
import type { ContractError, PullEvent } from '../../../app/common/contract.ts';
import { formatBytes, formatEta } from './format.ts';

type Progress = Extract<PullEvent, { type: 'progress' }>;
type Installed = Extract<PullEvent, { type: 'done' }>['model'];

export type PullView =
  | { state: 'idle' }
  /** asked for; its id is null until `models:pull` answers (its first events may come sooner) */
  | { state: 'starting'; repo: string; pullId: string | null }
  | ({ state: 'running'; repo: string } & Omit<Progress, 'type'>)
  | { state: 'done'; repo: string; model: Installed }
  | { state: 'stopped'; repo: string; pullId: string | null; error: ContractError };

export const IDLE: PullView = { state: 'idle' };

/** The next view after `event`; events of another pull leave it as it is. */
export function applyPullEvent(view: PullView, event: PullEvent): PullView {
  if (view.state === 'idle' || view.state === 'done' || view.state === 'stopped') return view;
  if (view.pullId !== null && view.pullId !== event.pullId) return view;
  const repo = view.repo;
  if (event.type === 'progress') {
    const { pullId, phase, file, doneBytes, totalBytes, bytesPerSecond, etaSeconds } = event;
    return {
      state: 'running',
      repo,
      pullId,
      phase,
      file,
      doneBytes,
      totalBytes,
      bytesPerSecond,
      etaSeconds,
    };
  }
  if (event.type === 'done') return { state: 'done', repo, model: event.model };
  return { state: 'stopped', repo, pullId: event.pullId, error: event.error };
}

/** Bar value 0–100 (null while the size is not known yet) and the line under it. */
export function pullLine(view: PullView): { percent: number | null; text: string } {
  if (view.state === 'starting')
    return { percent: null, text: `Asking the hub about ${view.repo}…` };
  if (view.state !== 'running') return { percent: null, text: '' };
  if (view.phase === 'resolving')
    return { percent: null, text: `Asking the hub about ${view.repo}…` };
  if (view.phase === 'importing')
    return { percent: 100, text: 'Checking every file and installing…' };
  const percent = view.totalBytes > 0 ? (100 * view.doneBytes) / view.totalBytes : null;
  const speed = view.bytesPerSecond > 0 ? ` · ${formatBytes(view.bytesPerSecond)}/s` : '';
  const eta = formatEta(view.etaSeconds);
  return {
    percent,
    text: `${formatBytes(view.doneBytes)} of ${formatBytes(view.totalBytes)}${speed}${eta === '' ? '' : ` · ETA ${eta}`}`,
  };
}

/** Stopped pulls that keep what they fetched: pulling again resumes them. */
const RESUMABLE = new Set(['interrupted', 'cancelled', 'disk-full', 'checksum', 'unreachable']);

export function canResume(view: PullView): boolean {
  return view.state === 'stopped' && RESUMABLE.has(view.error.code);
}

/** The id a cancel names, once known. */
export function activePullId(view: PullView): string | null {
  return view.state === 'starting' || view.state === 'running' ? view.pullId : null;
}

export function isBusy(view: PullView): boolean {
  return view.state === 'starting' || view.state === 'running';
}
