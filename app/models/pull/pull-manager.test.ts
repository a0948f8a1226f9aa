/**
 * The studio's pulls: started under an id, told as progress events and then `done` with the
 * installed model; a cancelled pull ends `failed` with the code `cancelled`, keeps its bytes,
 * and the next pull of the same repository resumes from them.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import type { PullEvent } from '../../common/contract.ts';
import { installedModels } from '../installed.ts';
import { dispatch } from '../../server/router.ts';
import { PullManager, type PullRequest } from './pull-manager.ts';
import { writePublishedRepo } from './testing/published-repo.ts';
import { startTestHub, type TestHub } from './testing/hub-server.ts';

const REPO = 'tessera-test/Janus-Pro-tiny-ONNX';
const work = mkdtempSync(join(tmpdir(), 'tessera-pull-manager-'));
const embeddedBefore = process.env.TESSERA_EMBEDDED_MODELS;
const endpointBefore = process.env.HF_ENDPOINT;
let hub: TestHub;

before(async () => {
  process.env.TESSERA_EMBEDDED_MODELS = join(work, 'no-embedded-models');
  writePublishedRepo(join(work, 'repo'));
  hub = await startTestHub({ [REPO]: join(work, 'repo') });
  process.env.HF_ENDPOINT = hub.url; // the studio's hub, as the hub's own clients read it
});
after(async () => {
  await hub.close();
  if (embeddedBefore === undefined) delete process.env.TESSERA_EMBEDDED_MODELS;
  else process.env.TESSERA_EMBEDDED_MODELS = embeddedBefore;
  if (endpointBefore === undefined) delete process.env.HF_ENDPOINT;
  else process.env.HF_ENDPOINT = endpointBefore;
  rmSync(work, { recursive: true, force: true });
});

/** A manager whose events are kept, with a promise for each pull's last event. */
function managed(home: string) {
  const events: PullEvent[] = [];
  const waiters: ((e: PullEvent) => void)[] = [];
  const manager = new PullManager(home, (e) => {
    events.push(e);
    if (e.type !== 'progress') for (const w of waiters.splice(0)) w(e);
  });
  const end = () => new Promise<PullEvent>((r) => waiters.push(r));
  return { manager, events, end };
}

test('a pull tells its progress, then the installed model', async () => {
  const home = join(work, 'home-done');
  const { manager, events, end } = managed(home);
  const finished = end();
  const { pullId } = manager.start({ repo: REPO, revision: undefined, dtype: undefined });
  const last = await finished;
  assert.equal(last.type, 'done', JSON.stringify(last));
  assert.ok(last.type === 'done' && last.pullId === pullId && last.model.family === 'janus-pro');
  assert.ok(
    events.some((e) => e.type === 'progress' && e.phase === 'downloading' && e.doneBytes > 0),
  );
  assert.equal((await installedModels(home)).length, 1);
});

test('a cancelled pull keeps its bytes; pulling again resumes and installs', async () => {
  const home = join(work, 'home-cancel');
  const { manager, events, end } = managed(home);
  hub.pace({ chunkBytes: 64 * 1024, pauseMs: 20 });
  try {
    const stopped = end();
    const { pullId } = manager.start({ repo: REPO });
    assert.throws(() => manager.start({ repo: REPO }), /is already being pulled/);
    while (!events.some((e) => e.type === 'progress' && e.doneBytes > 200_000))
      await new Promise((r) => setTimeout(r, 20));
    assert.deepEqual(manager.cancel(pullId), { cancelled: true });
    const last = await stopped;
    assert.equal(last.type, 'failed');
    assert.ok(last.type === 'failed' && last.error.code === 'cancelled', JSON.stringify(last));
    assert.match(
      last.type === 'failed' ? last.error.message : '',
      /are kept: pull again to resume/,
    );
  } finally {
    hub.pace(null);
  }
  const mark = hub.served.length;
  const resumed = end();
  manager.start({ repo: REPO });
  assert.equal((await resumed).type, 'done');
  assert.ok(
    hub.served.slice(mark).some((s) => s.from > 0 && s.bytes > 1),
    'resumed with a Range',
  );
  assert.deepEqual(manager.cancel('no-such-pull'), { cancelled: false });
});

test('the contract refuses a repository name that is not OWNER/NAME before any pull starts', async () => {
  const { manager, events } = managed(join(work, 'home-contract'));
  const handlers = {
    'models:pull': (r: PullRequest) => manager.start(r),
    'models:cancelPull': ({ pullId }: { pullId: string }) => manager.cancel(pullId),
  };
  const refused = await dispatch(handlers, 'models:pull', { repo: '../../etc' });
  assert.equal(refused.ok, false);
  assert.match(!refused.ok ? refused.error.message : '', /give the repository as OWNER\/NAME/);
  assert.equal((await dispatch(handlers, 'models:pull', { repo: REPO, dtype: 'Q4!' })).ok, false);
  assert.deepEqual(await dispatch(handlers, 'models:cancelPull', { pullId: 'nope' }), {
    ok: true,
    value: { cancelled: false },
  });
  assert.deepEqual(events, []);
});
