/**
 * Runs the real app/main/main.ts against the fake `electron` (started by main.test.ts with
 * use-fake-electron.mjs) through a launch, IPC calls, one generation, a second launch attempt
 * and a quit, then prints what happened as one `REPORT {json}` line.
 */
import { app, becomeReady, record } from './fake-electron.ts';

const main = await import('../main.ts');
becomeReady();

async function until(condition: () => boolean, what: string, ms = 120_000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting until ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}
const alive = (pid: number | undefined) => {
  if (pid === undefined) return false;
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};

await until(() => record.windows[0]?.shown === true && record.ipc.size > 0, 'the window shows');
const win = record.windows[0]!;
const trusted = { senderFrame: { url: 'app://tessera/index.html', parent: null } };
// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Any = any;
const call = (channel: string, payload: unknown, event: unknown = trusted) =>
  record.ipc.get(channel)!(event, payload) as Promise<Any>;
const pageEvents = () =>
  win.webContents.sent
    .filter(([message]) => message === 'tessera:event')
    .map(([, name, payload]) => ({ name: name as string, payload: payload as Any }));

const report: Record<string, unknown> = {
  privilegedBeforeReady: record.privilegedBeforeReady,
  privileged: record.privileged,
  sandboxEnabled: record.sandboxEnabled,
  singleInstanceLocks: record.singleInstanceLocks,
  appName: app.name,
  userData: app.getPath('userData'),
  windowUrl: win.url,
  webPreferences: win.options.webPreferences,
  windowOpen: win.webContents.openHandler?.({ url: 'https://example.com/' }),
  channels: [...record.ipc.keys()].sort(),
  protocols: [...record.protocols.keys()].sort(),
  session: Object.keys(record.session).sort(),
  menu: (record.menu as { template: { label: string }[] }).template.map((m) => m.label),
  forksBeforeAJob: record.forks.calls.length,
};

const models = await call('models:list', {});
report.models = models.ok ? models.value.map((m: Any) => m.id) : models;
report.forbidden = await call(
  'models:list',
  {},
  { senderFrame: { url: 'https://evil.example/', parent: null } },
);
const model = models.value[0];
const submitted = await call('jobs:submitGenerate', {
  modelId: model.id,
  provider: 'cpu',
  prompt: 'red heart',
  negativePrompt: '',
  style: null,
  seed: 3,
  bestOf: 1,
  count: 1,
  sampling: { ...model.sampling.defaults, cdk: null },
  boardId: null,
});
report.submitted = submitted.ok;
await until(
  () => pageEvents().some((e) => e.name === 'jobs:event' && e.payload.type === 'completed'),
  'the job completes',
);
report.events = [...new Set(pageEvents().map((e) => `${e.name}:${e.payload.type ?? ''}`))];
report.lagP99Ms = main.lag.p99Ms();
report.lagStats = main.lag.stats();
const completed = pageEvents().find((e) => e.payload.type === 'completed')!.payload;
const item = await call('gallery:get', { id: completed.assetIds[0] });
const asset = await record.protocols.get('tessera-asset')!(
  new Request(`tessera-asset://${item.value.sha256}`),
);
report.asset = {
  status: asset.status,
  type: asset.headers.get('content-type'),
  bytes: (await asset.arrayBuffer()).byteLength,
  itemBytes: item.value.bytes,
};
const page = await record.protocols.get('app')!(new Request('app://tessera/index.html'));
report.page = { status: page.status, csp: page.headers.get('content-security-policy') };
await page.arrayBuffer();
report.forks = record.forks.calls.map((c) => c.modulePath);

app.emit('second-instance');
report.focusedBySecondInstance = record.focused;

// Quit while a long job runs: it pauses (resumable), then everything closes.
const long = await call('jobs:submitGenerate', {
  modelId: model.id,
  provider: 'cpu',
  prompt: 'blue star',
  negativePrompt: '',
  style: null,
  seed: 5,
  bestOf: 16,
  count: 1,
  sampling: { ...model.sampling.defaults, cdk: null },
  boardId: null,
});
const longId = long.value.jobIds[0];
const ofLong = () => pageEvents().filter((e) => e.payload.jobId === longId);
await until(() => ofLong().some((e) => e.payload.type === 'started'), 'the long job starts');
const hostPid = record.forks.calls.at(-1)?.pid;
report.hostAliveBeforeQuit = alive(hostPid);
app.quit();
await until(() => record.quitted || record.exitCodes.length > 0, 'the quit completes');
await new Promise((r) => setTimeout(r, 100));
report.quit = { calls: record.quitCalls, quitted: record.quitted, exitCodes: record.exitCodes };
report.hostAliveAfterQuit = alive(hostPid);
report.longJobEnd = ofLong()
  .map((e) => e.payload.type)
  .filter((t) => ['completed', 'failed', 'cancelled', 'paused'].includes(t));
report.errors = record.errors;
console.log(`REPORT ${JSON.stringify(report)}`);
process.exit(0);
