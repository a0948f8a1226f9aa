/**
 * A job's progress as the queue, Generate, Infill and Caption show it: the live numbers while it
 * runs (from `jobs:event`), the stored ones otherwise; a bar value, rate and ETA only while it
 * runs. Pure.
 */
import type { JobView } from '../../../app/common/contract.ts';
import { formatEta, formatRate, percent } from './format.ts';

export interface LiveProgress {
  done: number;
  total: number;
  unit: string;
  ratePerSecond: number;
  etaSeconds: number | null;
}

export interface JobProgress {
  done: number;
  total: number;
  unit: string;
  /** percent for the bar; null while the total is unknown */
  value: number | null;
  eta: string;
  rate: string;
}

/** `storedUnit`: the unit of the stored counts, once live events are gone. */
export function jobProgress(
  job: Pick<JobView, 'status' | 'done' | 'total'>,
  live: LiveProgress | null,
  storedUnit: string,
): JobProgress {
  const usingLive = live !== null && job.status !== 'completed';
  const done = usingLive ? live.done : job.done;
  const total = usingLive ? live.total : job.total;
  const unit = usingLive ? live.unit : storedUnit;
  const value = job.status === 'completed' ? 100 : percent(done, total);
  const running = job.status === 'running' && live !== null;
  const eta = running ? formatEta(live.etaSeconds) : '';
  const rate = running ? formatRate(live.ratePerSecond, unit) : '';
  return { done, total, unit, value, eta, rate };
}
