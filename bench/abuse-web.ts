/**
 * Web mode under abuse, on loopback only and bounded in count and time. `tessera serve` runs
 * as a child process (so a crash is seen as its exit, and it is restarted to go on), then:
 *
 * 1. A malformed-request fuzz of every channel of the contract (wrong types in every field,
 *    wrong shapes, bad JSON and UTF-8, huge, deep and hostile values) plus raw HTTP abuse
 *    (methods, paths, oversized bodies and headers, early hang-ups). Prints requests tried /
 *    5xx / crashes / hangs (no answer within 10 s).
 * 2. The cross-origin matrix: what other pages on this machine (another port of 127.0.0.1,
 *    localhost, a null origin, a DNS-rebinding name) get from every kind of endpoint with every
 *    credential a browser could attach (the studio's cookie, the token in the address, even
 *    the header token), as a browser sends them. Prints origin × endpoint → status and a
 *    summary line counting cross-origin successes (any 2xx), next to the studio's own page as
 *    the control, and checks that the library and the disk are unchanged.
 *
 *   node --import tsx bench/abuse-web.ts [--per-channel N] [--seconds S]
 */
import { spawn, type ChildProcessByStdio } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { request } from 'node:http';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Readable } from 'node:stream';
import { parseArgs } from 'node:util';
import sharp from 'sharp';
import { CHANNELS } from '../app/common/contract.ts';

const { values: args } = parseArgs({
  options: { 'per-channel': { type: 'string' }, seconds: { type: 'string' } },
});
const PER_CHANNEL = Number(args['per-channel'] ?? 40);
const DEADLINE = performance.now() + Number(args.seconds ?? 240) * 1000;
const HANG_MS = 10_000;
const root = join(import.meta.dirname, '..');
const work = mkdtempSync(join(tmpdir(), 'tessera-abuse-web-'));
const home = join(work, 'home');
const allowed = join(work, 'allowed');
mkdirSync(allowed);

// ---------------------------------------------------------------- the server, as a child

interface Served {
  child: ChildProcessByStdio<null, Readable, Readable>;
  port: number;
  token: string;
  exited: boolean;
}
let served: Served;
let crashes = 0;
let stopping = false;

async function startServer(): Promise<Served> {
  const child = spawn(
    process.execPath,
    [
      join(root, 'bin', 'tessera.mjs'),
      'serve',
      '--json',
      '--home',
      home,
      '--allow-folder',
      allowed,
    ],
    { stdio: ['ignore', 'pipe', 'pipe'] },
  );
  let stderr = '';
  child.stderr.on('data', (c: Buffer) => (stderr = (stderr + c.toString()).slice(-4000)));
  const line = await new Promise<string>((resolve, reject) => {
    let out = '';
    child.stdout.on('data', (c: Buffer) => {
      out += c.toString();
      if (out.includes('\n')) resolve(out.split('\n')[0]!);
    });
    child.once('exit', (code) =>
      reject(new Error(`serve exited (${code}) before starting:\n${stderr}`)),
    );
  });
  const { url, port } = JSON.parse(line) as { url: string; port: number };
  const s: Served = { child, port, token: new URL(url).searchParams.get('token')!, exited: false };
  child.once('exit', (code, signal) => {
    s.exited = true;
    if (stopping) return;
    crashes++;
    process.stderr.write(`the server died (${code ?? signal}); last words:\n${stderr}\n`);
  });
  return s;
}

/** The server that is up, restarted if the last one died. */
async function server(): Promise<Served> {
  if (served.exited) served = await startServer();
  return served;
}

// ---------------------------------------------------------------- raw HTTP

interface Reply {
  status: number;
  body: Buffer;
  headers: Record<string, string | string[] | undefined>;
}
type Outcome = Reply | 'hang' | 'reset';

function send(
  port: number,
  path: string,
  options: { method?: string; headers?: Record<string, string>; body?: Buffer | string } = {},
): Promise<Outcome> {
  return new Promise((resolve) => {
    const req = request(
      {
        host: '127.0.0.1',
        port,
        path,
        method: options.method ?? 'GET',
        headers: { host: `127.0.0.1:${port}`, ...options.headers },
        agent: false,
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => {
          chunks.push(c);
          // An event stream never ends: its first bytes are the answer.
          if (String(res.headers['content-type']).startsWith('text/event-stream')) req.destroy();
        });
        const done = () =>
          resolve({
            status: res.statusCode ?? 0,
            body: Buffer.concat(chunks),
            headers: res.headers,
          });
        res.on('end', done);
        res.on('close', done);
        res.on('error', done);
      },
    );
    req.setTimeout(HANG_MS, () => {
      req.destroy();
      resolve('hang');
    });
    req.on('error', () => resolve('reset'));
    req.end(options.body);
  });
}

/** A request line and headers written by hand: what an HTTP client would refuse to send. */
function sendRaw(port: number, text: string): Promise<'answered' | 'closed' | 'hang'> {
  return new Promise((resolve) => {
    const socket = connect(port, '127.0.0.1');
    const timer = setTimeout(() => {
      socket.destroy();
      resolve('hang');
    }, HANG_MS);
    socket.once('data', () => {
      clearTimeout(timer);
      socket.destroy();
      resolve('answered');
    });
    socket.once('close', () => {
      clearTimeout(timer);
      resolve('closed');
    });
    socket.on('error', () => {});
    socket.end(text);
  });
}

// ---------------------------------------------------------------- the fuzz

/** Deterministic: the same run every time. */
function prng(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function deep(levels: number): unknown {
  let v: unknown = 1;
  for (let i = 0; i < levels; i++) v = { a: v };
  return v;
}

const HOSTILE_VALUES: unknown[] = [
  null,
  true,
  0,
  -1,
  1e308,
  -0,
  2 ** 53 + 1,
  '',
  ' ',
  '\u0000',
  '../../../../etc/passwd',
  '/etc/passwd',
  '/dev/zero',
  '/proc/self/environ',
  'C:\\Windows\\win.ini',
  '\\\\server\\share',
  'a'.repeat(5000),
  '💥'.repeat(300),
  '\ud800',
  [],
  [null],
  new Array(2000).fill(1),
  {},
  { __proto__: { polluted: true } },
  JSON.parse('{"__proto__":{"polluted":true},"constructor":{"prototype":{"x":1}}}'),
  deep(200),
];

/** A field name of the channel's request, when its schema is an object. */
function fieldsOf(channel: keyof typeof CHANNELS): string[] {
  const shape = (CHANNELS[channel].request as unknown as { shape?: Record<string, unknown> }).shape;
  return shape === undefined ? ['from', 'path', 'name'] : Object.keys(shape);
}

/** Bodies for one channel: whole wrong shapes, then every field with a hostile value. */
function* payloadsFor(channel: keyof typeof CHANNELS, random: () => number): Generator<Buffer> {
  const json = (v: unknown) => Buffer.from(JSON.stringify(v));
  for (const v of [null, 1, 'x', [], [{}], true]) yield json(v);
  yield Buffer.from('{"unterminated": ');
  yield Buffer.from('{"a":1}{"b":2}');
  yield Buffer.from([0x7b, 0x22, 0xff, 0xfe, 0x22, 0x3a, 0x31, 0x7d]);
  yield Buffer.from('['.repeat(50_000));
  yield Buffer.from(`${'{"a":'.repeat(5000)}1${'}'.repeat(5000)}`);
  const fields = fieldsOf(channel);
  let n = 0;
  for (;;) {
    const body: Record<string, unknown> = {};
    for (const f of fields) {
      if (random() < 0.7) body[f] = HOSTILE_VALUES[Math.floor(random() * HOSTILE_VALUES.length)];
    }
    if (random() < 0.2) body[`extra${n}`] = 'unexpected';
    yield json(body);
    n++;
  }
}

/** Raw HTTP abuse beside the channels: methods, paths, sizes, headers, hang-ups. */
function rawAbuse(port: number, token: string): (() => Promise<Outcome | string>)[] {
  const auth = { 'x-tessera-token': token };
  const out: (() => Promise<Outcome | string>)[] = [];
  for (const method of ['GET', 'PUT', 'DELETE', 'PATCH', 'OPTIONS', 'HEAD', 'TRACE'])
    out.push(() => send(port, '/api/invoke/boards:list', { method, headers: auth }));
  for (const path of [
    '/api/invoke/',
    '/api/invoke/boards:list/extra',
    '/api/invoke/__proto__:x',
    '/api/invoke/constructor:prototype',
    '/api/invoke/boards%3Alist',
    '/asset/' + 'z'.repeat(64),
    '/asset/../../etc/passwd',
    '/asset/%2e%2e%2f%2e%2e%2fetc%2fpasswd',
    '/assets/..%2f..%2fpackage.json',
    '/assets/app.js.map',
    '//etc/passwd',
    '/%00',
    '/' + 'a'.repeat(60_000),
    '/api/events?x=' + 'b'.repeat(10_000),
  ])
    out.push(() => send(port, path, { headers: auth }));
  out.push(() =>
    send(port, '/api/invoke/boards:list', {
      method: 'POST',
      headers: auth,
      body: Buffer.alloc(3 << 20, 0x20),
    }),
  );
  out.push(() =>
    send(port, '/api/invoke/gallery:importUpload', {
      method: 'POST',
      headers: { ...auth, 'content-length': String(1 << 30) },
      body: '{}',
    }),
  );
  out.push(() =>
    send(port, '/api/export', { method: 'POST', headers: auth, body: '{"ids":[1,2,3]}' }),
  );
  out.push(() =>
    send(port, '/api/invoke/boards:list', {
      method: 'POST',
      headers: { ...auth, cookie: 'x'.repeat(60_000) },
    }),
  );
  out.push(() => sendRaw(port, 'GARBAGE\r\n\r\n'));
  out.push(() =>
    sendRaw(
      port,
      `POST /api/invoke/boards:list HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\nContent-Length: -5\r\n\r\n`,
    ),
  );
  out.push(() =>
    sendRaw(
      port,
      `POST /api/invoke/boards:list HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\nTransfer-Encoding: chunked\r\nContent-Length: 4\r\n\r\nzz\r\n`,
    ),
  );
  out.push(() =>
    sendRaw(port, `GET / HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\nHost: evil.example\r\n\r\n`),
  );
  // A client that promises a body and hangs up halfway.
  out.push(
    () =>
      new Promise<string>((resolve) => {
        const socket = connect(port, '127.0.0.1', () => {
          socket.write(
            `POST /api/invoke/boards:list HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\nx-tessera-token: ${token}\r\nContent-Length: 1000\r\n\r\n{"a":`,
          );
          setTimeout(() => {
            socket.destroy();
            resolve('hung up');
          }, 200);
        });
        socket.on('error', () => resolve('hung up'));
      }),
  );
  return out;
}

async function fuzz(): Promise<{
  tried: number;
  server5xx: number;
  hangs: number;
  statuses: Map<string, number>;
}> {
  const random = prng(17);
  const statuses = new Map<string, number>();
  let tried = 0;
  let server5xx = 0;
  let hangs = 0;
  const count = (outcome: Outcome | string) => {
    tried++;
    // A refused call is still HTTP 200: its Result says ok: false.
    const key =
      typeof outcome === 'string'
        ? outcome
        : outcome.status === 200 &&
            String(outcome.headers['content-type']).startsWith('application/json')
          ? `200 ok:${String((JSON.parse(outcome.body.toString()) as { ok?: unknown }).ok)}`
          : String(outcome.status);
    statuses.set(key, (statuses.get(key) ?? 0) + 1);
    if (typeof outcome !== 'string' && outcome.status >= 500) server5xx++;
    if (outcome === 'hang') hangs++;
  };
  const channels = [...(Object.keys(CHANNELS) as (keyof typeof CHANNELS)[])];
  for (const channel of channels) {
    const payloads = payloadsFor(channel, random);
    for (let i = 0; i < PER_CHANNEL && performance.now() < DEADLINE; i++) {
      const { port, token } = await server();
      count(
        await send(port, `/api/invoke/${channel}`, {
          method: 'POST',
          headers: {
            'x-tessera-token': token,
            origin: `http://127.0.0.1:${port}`,
            'sec-fetch-site': 'same-origin',
            'content-type': 'application/json',
          },
          body: payloads.next().value as Buffer,
        }),
      );
    }
  }
  const { port, token } = await server();
  for (const attempt of rawAbuse(port, token)) {
    if (performance.now() >= DEADLINE) break;
    count(await attempt());
    await server();
  }
  return { tried, server5xx, hangs, statuses };
}

// ---------------------------------------------------------------- the cross-origin matrix

interface Origin {
  name: string;
  /** headers a browser on that page attaches (a no-cors GET sends no Origin) */
  headers(port: number, method: string, dest: string): Record<string, string>;
  host?: (port: number) => string;
}

const other = 1 + Math.floor(Math.random() * 1000);
const ORIGINS: Origin[] = [
  {
    name: 'studio itself (control)',
    headers: (port, method, dest) => ({
      'sec-fetch-site': 'same-origin',
      'sec-fetch-dest': dest,
      ...(method === 'POST' ? { origin: `http://127.0.0.1:${port}` } : {}),
    }),
  },
  {
    name: '127.0.0.1:<other port>',
    headers: (port, method, dest) => ({
      'sec-fetch-site': 'same-site',
      'sec-fetch-dest': dest,
      ...(method === 'POST' ? { origin: `http://127.0.0.1:${port + other}` } : {}),
    }),
  },
  {
    name: 'localhost:<other port>',
    headers: (port, method, dest) => ({
      'sec-fetch-site': 'cross-site',
      'sec-fetch-dest': dest,
      ...(method === 'POST' ? { origin: `http://localhost:${port + other}` } : {}),
    }),
  },
  {
    name: 'localhost:<studio port>',
    headers: (port, method, dest) => ({
      'sec-fetch-site': 'cross-site',
      'sec-fetch-dest': dest,
      ...(method === 'POST' ? { origin: `http://localhost:${port}` } : {}),
    }),
  },
  {
    name: 'null (sandboxed / file:)',
    headers: (_port, method, dest) => ({
      'sec-fetch-site': 'cross-site',
      'sec-fetch-dest': dest,
      ...(method === 'POST' ? { origin: 'null' } : {}),
    }),
  },
  {
    name: 'evil.example (DNS rebinding)',
    headers: (port, method) => ({
      'sec-fetch-site': 'same-origin',
      ...(method === 'POST' ? { origin: `http://evil.example:${port}` } : {}),
    }),
    host: (port) => `evil.example:${port}`,
  },
];

interface Endpoint {
  name: string;
  method: string;
  dest: string;
  path(sha: string): string;
  body?: (itemId: number) => string;
}

const ENDPOINTS: Endpoint[] = [
  { name: 'page /', method: 'GET', dest: 'document', path: () => '/' },
  { name: 'page in a frame', method: 'GET', dest: 'iframe', path: () => '/' },
  { name: 'script', method: 'GET', dest: 'script', path: () => '/assets/app.js' },
  { name: 'image', method: 'GET', dest: 'image', path: (sha) => `/asset/${sha}` },
  { name: 'events', method: 'GET', dest: 'empty', path: () => '/api/events' },
  {
    name: 'boards:create',
    method: 'POST',
    dest: 'empty',
    path: () => '/api/invoke/boards:create',
    body: () => '{"name":"cross-origin board"}',
  },
  {
    name: 'gallery:query',
    method: 'POST',
    dest: 'empty',
    path: () => '/api/invoke/gallery:query',
    body: () => '{}',
  },
  {
    name: 'gallery:export',
    method: 'POST',
    dest: 'empty',
    path: () => '/api/invoke/gallery:export',
    body: (id) => JSON.stringify({ ids: [id], to: join(allowed, 'stolen.zip') }),
  },
  {
    name: 'export download',
    method: 'POST',
    dest: 'empty',
    path: () => '/api/export',
    body: (id) => JSON.stringify({ ids: [id] }),
  },
];

type Credential = 'none' | 'cookie' | 'cookie+?token' | 'header token';
const CREDENTIALS: Credential[] = ['none', 'cookie', 'cookie+?token', 'header token'];

async function matrix(item: { id: number; sha: string }, origins: readonly Origin[]) {
  const { port, token } = await server();
  // The victim's browser opened the studio: it holds the cookie, as the hostile page's requests will.
  const page = await send(port, `/?token=${token}`, {
    headers: { 'sec-fetch-site': 'none', 'sec-fetch-dest': 'document' },
  });
  const cookie =
    typeof page === 'string' ? '' : String(page.headers['set-cookie'] ?? '').split(';')[0]!;
  const rows: { origin: string; credential: Credential; cells: number[] }[] = [];
  let attempts = 0;
  let successes = 0;
  for (const origin of origins) {
    for (const credential of CREDENTIALS) {
      const cells: number[] = [];
      for (const endpoint of ENDPOINTS) {
        let path = endpoint.path(item.sha);
        if (credential === 'cookie+?token') path += `?token=${token}`;
        const headers: Record<string, string> = {
          ...origin.headers(port, endpoint.method, endpoint.dest),
          ...(credential.startsWith('cookie') && cookie !== '' ? { cookie } : {}),
          ...(credential === 'header token' ? { 'x-tessera-token': token } : {}),
          ...(origin.host === undefined ? {} : { host: origin.host(port) }),
          ...(endpoint.body === undefined ? {} : { 'content-type': 'text/plain' }),
        };
        const r = await send(port, path, {
          method: endpoint.method,
          headers,
          ...(endpoint.body === undefined ? {} : { body: endpoint.body(item.id) }),
        });
        const status = typeof r === 'string' ? 0 : r.status;
        cells.push(status);
        attempts++;
        if (status >= 200 && status < 300) successes++;
      }
      rows.push({ origin: origin.name, credential, cells });
    }
  }
  return { rows, attempts, successes };
}

// ---------------------------------------------------------------- run

async function invoke<T>(channel: string, payload: unknown): Promise<T> {
  const { port, token } = await server();
  const r = await send(port, `/api/invoke/${channel}`, {
    method: 'POST',
    headers: { 'x-tessera-token': token },
    body: JSON.stringify(payload),
  });
  if (typeof r === 'string') throw new Error(`${channel}: ${r}`);
  const body = JSON.parse(r.body.toString()) as { ok: boolean; value: T; error?: unknown };
  if (!body.ok) throw new Error(`${channel}: ${JSON.stringify(body.error)}`);
  return body.value;
}

async function libraryState(): Promise<string> {
  const boards = await invoke<{ name: string; count: number }[]>('boards:list', {});
  const items = await invoke<{ items: { id: number }[] }>('gallery:query', { trashed: false });
  return JSON.stringify({
    boards: boards.map((b) => `${b.name}:${b.count}`),
    items: items.items.map((i) => i.id),
    allowed: readdirSync(allowed),
  });
}

const started = performance.now();
try {
  served = await startServer();
  const png = await sharp({
    create: { width: 16, height: 16, channels: 3, background: { r: 30, g: 160, b: 90 } },
  })
    .png()
    .toBuffer();
  const imported = await invoke<{ assetId: number }>('gallery:importUpload', {
    name: 'green.png',
    dataBase64: png.toString('base64'),
  });
  const items = await invoke<{ items: { id: number; sha256: string }[] }>('gallery:query', {});
  const item = items.items.find((i) => i.id === imported.assetId)!;

  const f = await fuzz();
  const fuzzSeconds = (performance.now() - started) / 1000;
  console.log(
    `API requests tried ${f.tried} / 5xx ${f.server5xx} / crashes ${crashes} / hangs ${f.hangs}  (${Object.keys(CHANNELS).length} channels × up to ${PER_CHANNEL} malformed bodies + raw HTTP abuse, ${fuzzSeconds.toFixed(1)} s)`,
  );
  console.log(
    `  answers: ${[...f.statuses]
      .sort(([a], [b]) => a.localeCompare(b))
      .map(([k, v]) => `${k}×${v}`)
      .join(', ')}`,
  );

  // The fuzz may have made boards, tags and so on: the matrix is judged against the state now.
  const before = await libraryState();
  const hostile = await matrix({ id: item.id, sha: item.sha256 }, ORIGINS.slice(1));
  const after = await libraryState();
  const unchanged = before === after && !existsSync(join(allowed, 'stolen.zip'));
  // The control last: the studio's own page may change things, and does.
  const control = await matrix({ id: item.id, sha: item.sha256 }, ORIGINS.slice(0, 1));
  console.log('\ncross-origin matrix (HTTP status; 0 = no answer):');
  console.log(
    `${'origin'.padEnd(30)}${'credential'.padEnd(15)}${ENDPOINTS.map((e) => e.name.padStart(16)).join('')}`,
  );
  for (const row of [...control.rows, ...hostile.rows])
    console.log(
      `${row.origin.padEnd(30)}${row.credential.padEnd(15)}${row.cells.map((c) => String(c).padStart(16)).join('')}`,
    );
  console.log(
    `\nsummary: cross-origin attempts ${hostile.attempts}, successes ${hostile.successes} (the studio itself: ${control.successes} of ${control.attempts}); library and disk unchanged by them: ${unchanged ? 'yes' : 'NO'}; crashes ${crashes}; hangs ${f.hangs}; 5xx ${f.server5xx}`,
  );
  process.exitCode =
    hostile.successes === 0 && unchanged && crashes === 0 && f.hangs === 0 && f.server5xx === 0
      ? 0
      : 1;
} finally {
  stopping = true;
  served!.child.kill('SIGTERM');
  await new Promise((resolve) => {
    if (served.exited) resolve(undefined);
    else served.child.once('exit', resolve);
    setTimeout(resolve, 15_000).unref();
  });
  rmSync(work, { recursive: true, force: true });
}
