/**
 * Renders many SVGs across child processes. A child that dies mid-batch (resvg-js aborts on
 * some SVGs) costs only the icon it was rendering: that icon is recorded as skipped with the
 * reason, and the rest of its batch goes to a fresh child.
 */
import { fork, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import type { RenderReply, RenderRequest } from './render-worker.ts';

const WORKER = fileURLToPath(new URL('./render-worker.ts', import.meta.url));

export interface RenderResult {
  rgb: Map<number, Uint8Array>;
  skipped: Map<number, string>;
}

function spawnWorker(): ChildProcess {
  return fork(WORKER, [], {
    execArgv: ['--import', 'tsx'],
    serialization: 'advanced',
    stdio: ['ignore', 'ignore', 'pipe', 'ipc'],
  });
}

/** Runs one batch on one child; resolves with the indices it never answered and why. */
function runBatch(
  batch: RenderRequest[],
  result: RenderResult,
): Promise<{ unanswered: RenderRequest[]; reason: string }> {
  return new Promise((resolve) => {
    const child = spawnWorker();
    const pending = new Map(batch.map((r) => [r.index, r]));
    let stderr = '';
    child.stderr?.on('data', (chunk: Buffer) => {
      stderr = (stderr + chunk.toString()).slice(-400);
    });
    child.on('message', (msg: RenderReply | 'batch-done') => {
      if (msg === 'batch-done') {
        child.kill();
        return;
      }
      pending.delete(msg.index);
      if (msg.rgb !== undefined) result.rgb.set(msg.index, msg.rgb);
      else result.skipped.set(msg.index, msg.error ?? 'unknown render error');
    });
    child.on('exit', (code, signal) => {
      const reason = `renderer process died (${signal ?? `exit ${code}`}): ${stderr.trim().split('\n').pop() ?? ''}`;
      resolve({ unanswered: [...pending.values()], reason });
    });
    child.send(batch);
  });
}

export async function renderAll(
  requests: RenderRequest[],
  processes: number,
  onProgress: (done: number) => void,
): Promise<RenderResult> {
  const result: RenderResult = { rgb: new Map(), skipped: new Map() };
  const batchSize = 256;
  const queue: RenderRequest[][] = [];
  for (let i = 0; i < requests.length; i += batchSize) queue.push(requests.slice(i, i + batchSize));

  const lane = async () => {
    for (let batch = queue.shift(); batch !== undefined; batch = queue.shift()) {
      const { unanswered, reason } = await runBatch(batch, result);
      if (unanswered.length > 0) {
        // Requests run in order, so the first unanswered one is the one that killed the child.
        result.skipped.set(unanswered[0]!.index, reason);
        if (unanswered.length > 1) queue.unshift(unanswered.slice(1));
      }
      onProgress(result.rgb.size + result.skipped.size);
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, processes) }, lane));
  return result;
}
