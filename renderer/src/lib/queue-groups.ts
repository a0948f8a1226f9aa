/**
 * The queue's rows: one per batch (the jobs of one submission with a Count above 1, or of a
 * compare), at the place of its first job, and one per job submitted alone. Pure.
 */
import type { JobView } from '../../../app/common/contract.ts';

type Groupable = Pick<JobView, 'id' | 'status'> & { batchId?: string | undefined };

export interface QueueRow<J extends Groupable> {
  key: string;
  jobs: J[];
}

export function queueRows<J extends Groupable>(jobs: readonly J[]): QueueRow<J>[] {
  const rows: QueueRow<J>[] = [];
  const byBatch = new Map<string, QueueRow<J>>();
  for (const j of jobs) {
    const batch = j.batchId === undefined ? undefined : byBatch.get(j.batchId);
    if (batch !== undefined) {
      batch.jobs.push(j);
      continue;
    }
    const row = { key: j.batchId === undefined ? j.id : `batch:${j.batchId}`, jobs: [j] };
    rows.push(row);
    if (j.batchId !== undefined) byBatch.set(j.batchId, row);
  }
  return rows;
}

/** A batch row's one line: "3 of 8 done · 1 running · 1 failed". */
export function batchSummary(jobs: readonly Pick<JobView, 'status'>[]): string {
  const count = (s: JobView['status']) => jobs.filter((j) => j.status === s).length;
  const parts = [`${count('completed')} of ${jobs.length} done`];
  for (const s of ['running', 'queued', 'paused', 'failed', 'cancelled', 'interrupted'] as const)
    if (count(s) > 0) parts.push(`${count(s)} ${s}`);
  return parts.join(' · ');
}
