/**
 * Orderly quit: running jobs pause at their next safe point (their state saved, so they resume
 * exactly), the queue goes idle, then the inference process and the library close. If a job
 * does not stop in time, nothing more is closed: the app exits, the job's row still says
 * `running` with a dead owner, and the next launch marks it `interrupted` and resumes it from
 * its checkpoint (a job is never recorded as failed just because the app quit).
 */
export interface ShutdownParts {
  service: { runner: { pauseRunning(): void }; idle(): Promise<void> };
  client: { close(): Promise<void> };
  gallery: { close(): void };
}

export type ShutdownOutcome = 'clean' | 'timed-out';

export async function shutdownStudio(
  parts: ShutdownParts,
  options: { timeoutMs?: number; log?: (line: string) => void } = {},
): Promise<ShutdownOutcome> {
  const log = options.log ?? (() => {});
  const timeoutMs = options.timeoutMs ?? 20_000;
  parts.service.runner.pauseRunning();
  let timer: NodeJS.Timeout | undefined;
  const timedOut = new Promise<true>((resolve) => {
    timer = setTimeout(() => resolve(true), timeoutMs);
  });
  const late = await Promise.race([parts.service.idle().then(() => false), timedOut]);
  clearTimeout(timer);
  if (late) {
    log(`a job did not pause within ${timeoutMs} ms: quitting; it resumes at the next launch`);
    return 'timed-out';
  }
  await parts.client.close();
  parts.gallery.close();
  return 'clean';
}
