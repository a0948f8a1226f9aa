/**
 * A Hugging Face-style hub on 127.0.0.1 for the pull tests, serving folders from disk with the
 * routes @huggingface/hub calls: model info at a revision (with the commit's sha), the
 * recursive tree (sizes, git blob ids, and LFS sha256 for every .onnx/.onnx_data file), and
 * resolve/REV/PATH with Range requests. It records every byte it serves, and can cut a file's
 * transfer after N bytes or serve different bytes than it lists, to play a flaky network or a
 * damaged mirror.
 */
import { createHash } from 'node:crypto';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';

export interface ServedRequest {
  path: string;
  /** First byte asked for (0 without a Range header). */
  from: number;
  /** Body bytes written. */
  bytes: number;
}

export interface TestHub {
  url: string;
  served: ServedRequest[];
  /** Stop the next transfer of `path` after `bytes` body bytes by destroying the socket. */
  cutAfter(path: string, bytes: number): void;
  /** Send every file in chunks of `chunkBytes` with `pauseMs` between them (null: at once). */
  pace(pace: { chunkBytes: number; pauseMs: number } | null): void;
  /** Serve `path` with its last byte flipped (the tree still lists the true checksum); null heals. */
  corrupt(path: string | null): void;
  close(): Promise<void>;
}

const COMMIT = 'c0ffee0000000000000000000000000000000001';
const isLfs = (path: string) => /\.onnx(_data)?$/.test(path);

interface RepoFile {
  path: string;
  bytes: Buffer;
}

function filesOf(dir: string): RepoFile[] {
  return readdirSync(dir, { recursive: true, encoding: 'utf8' })
    .filter((path) => statSync(join(dir, path)).isFile())
    .sort()
    .map((path) => ({ path, bytes: readFileSync(join(dir, path)) }));
}

function treeEntry(f: RepoFile) {
  const size = f.bytes.length;
  const gitOid = createHash('sha1').update(`blob ${size}\0`).update(f.bytes).digest('hex');
  if (!isLfs(f.path)) return { type: 'file', oid: gitOid, size, path: f.path };
  const sha256 = createHash('sha256').update(f.bytes).digest('hex');
  return {
    type: 'file',
    oid: gitOid,
    size,
    path: f.path,
    lfs: { oid: sha256, size, pointerSize: 134 },
  };
}

function json(res: ServerResponse, status: number, body: unknown, errorCode?: string) {
  res.writeHead(status, {
    'content-type': 'application/json',
    ...(errorCode === undefined ? {} : { 'x-error-code': errorCode }),
  });
  res.end(JSON.stringify(body));
}

/** Serves `repos` (OWNER/NAME → folder) at one commit, reachable as main or by its sha. */
export async function startTestHub(repos: Record<string, string>): Promise<TestHub> {
  const files = new Map(Object.entries(repos).map(([name, dir]) => [name, filesOf(dir)]));
  const served: ServedRequest[] = [];
  const cuts = new Map<string, number>();
  const corrupted = new Set<string>();
  let paced: { chunkBytes: number; pauseMs: number } | null = null;

  const handle = (req: IncomingMessage, res: ServerResponse) => {
    const url = new URL(req.url ?? '/', 'http://hub');
    const path = decodeURIComponent(url.pathname);
    const api = /^\/api\/models\/([^/]+\/[^/]+)\/(revision|tree)\/([^/]+)$/.exec(path);
    const resolve = /^\/([^/]+\/[^/]+)\/resolve\/([^/]+)\/(.+)$/.exec(path);
    const repo = files.get(api?.[1] ?? resolve?.[1] ?? '');
    const revision = api?.[3] ?? resolve?.[2];
    if (repo === undefined || (revision !== 'main' && revision !== COMMIT))
      return json(res, 404, { error: 'Repository not found' }, 'RepoNotFound');
    if (api?.[2] === 'revision')
      return json(res, 200, {
        _id: 'test',
        id: api[1],
        sha: COMMIT,
        private: false,
        lastModified: '2026-01-01T00:00:00.000Z',
      });
    if (api?.[2] === 'tree') return json(res, 200, repo.map(treeEntry));
    const file = repo.find((f) => f.path === resolve?.[3]);
    if (file === undefined) return json(res, 404, { error: 'Entry not found' }, 'EntryNotFound');
    serveFile(req, res, file);
  };

  const serveFile = (req: IncomingMessage, res: ServerResponse, file: RepoFile) => {
    let body = file.bytes;
    if (corrupted.has(file.path)) {
      body = Buffer.from(body);
      body.writeUInt8(body.readUInt8(body.length - 1) ^ 0xff, body.length - 1);
    }
    const range = /^bytes=(\d+)-(\d*)$/.exec(req.headers.range ?? '');
    const from = range === null ? 0 : Number(range[1]);
    const to = range === null || range[2] === '' ? body.length - 1 : Number(range[2]);
    const slice = body.subarray(from, to + 1);
    const etag = `"${createHash('sha256').update(file.bytes).digest('hex')}"`;
    res.writeHead(range === null ? 200 : 206, {
      'content-length': slice.length,
      etag,
      'accept-ranges': 'bytes',
      ...(range === null ? {} : { 'content-range': `bytes ${from}-${to}/${body.length}` }),
    });
    const record: ServedRequest = { path: file.path, from, bytes: 0 };
    served.push(record);
    const cut = slice.length > 1 ? cuts.get(file.path) : undefined; // not the 1-byte probe
    if (cut !== undefined) {
      cuts.delete(file.path);
      record.bytes = Math.min(cut, slice.length);
      res.write(slice.subarray(0, cut), () => res.destroy());
      return;
    }
    if (paced === null || slice.length <= 1) {
      record.bytes = slice.length;
      res.end(slice);
      return;
    }
    const { chunkBytes, pauseMs } = paced;
    const sendFrom = (at: number) => {
      if (res.destroyed) return;
      const chunk = slice.subarray(at, at + chunkBytes);
      record.bytes += chunk.length;
      if (at + chunkBytes >= slice.length) return void res.end(chunk);
      res.write(chunk);
      setTimeout(() => sendFrom(at + chunkBytes), pauseMs);
    };
    sendFrom(0);
  };

  const server = createServer(handle);
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    served,
    cutAfter: (path, bytes) => cuts.set(path, bytes),
    pace: (p) => (paced = p),
    corrupt: (path) => (path === null ? corrupted.clear() : corrupted.add(path)),
    close: () =>
      new Promise((r) => {
        server.closeAllConnections();
        server.close(() => r());
      }),
  };
}
