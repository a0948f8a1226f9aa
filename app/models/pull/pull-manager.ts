/**
 * The studio's pulls: each runs in the background under an id, its progress and its end (the
 * installed model, or the error that stopped it) told as `models:pull` events, so the Models
 * screen shows a bar that survives closing its dialog. A cancelled pull keeps what it fetched;
 * pulling the same repository again resumes it. One pull of a repository at a time.
 */
import { randomUUID } from 'node:crypto';
import { describeError } from '../../common/errors.ts';
import type { PullEvent } from '../../common/contract.ts';
import { PullError } from './pull-error.ts';
import { pullModel, type PullOptions } from './pull-model.ts';

export type PullRequest = Pick<PullOptions, 'repo' | 'revision' | 'dtype'>;

export class PullManager {
  private readonly running = new Map<string, { repo: string; cancel: AbortController }>();

  constructor(
    private readonly home: string,
    private readonly tell: (event: PullEvent) => void,
    /** Options the studio does not take from the page (the free-space reading in tests). */
    private readonly fixed: Partial<PullOptions> = {},
  ) {}

  start(request: PullRequest): { pullId: string } {
    for (const p of this.running.values())
      if (p.repo.toLowerCase() === request.repo.toLowerCase())
        throw new PullError(
          'busy',
          `${request.repo} is already being pulled: wait for it, or cancel it first`,
        );
    const pullId = randomUUID();
    const cancel = new AbortController();
    this.running.set(pullId, { repo: request.repo, cancel });
    const end = (event: PullEvent) => {
      this.running.delete(pullId); // before telling, so the page may pull again at once
      this.tell(event);
    };
    void pullModel(this.home, {
      ...this.fixed,
      ...request,
      signal: cancel.signal,
      onProgress: (p) => this.tell({ type: 'progress', pullId, ...p }),
    }).then(
      (m) =>
        end({
          type: 'done',
          pullId,
          model: { id: m.id, name: m.name, family: m.family, dir: m.dir, warning: m.warning },
        }),
      (err: unknown) => end({ type: 'failed', pullId, error: describeError(err) }),
    );
    return { pullId };
  }

  cancel(pullId: string): { cancelled: boolean } {
    const p = this.running.get(pullId);
    p?.cancel.abort();
    return { cancelled: p !== undefined };
  }

  /** Stops every pull (the studio is closing); what they fetched stays for the next pull. */
  cancelAll(): void {
    for (const p of this.running.values()) p.cancel.abort();
  }
}
