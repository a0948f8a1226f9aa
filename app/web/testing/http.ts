/**
 * Raw HTTP to a web-mode server for tests and the abuse bench: every header is the caller's
 * (a browser's Origin, Sec-Fetch-Site and cookies included), nothing is added but Host, and
 * every request has a deadline, so a server that stops answering fails the test instead of
 * hanging it.
 */
import { request, type Agent } from 'node:http';

export interface Answer {
  status: number;
  body: Buffer;
  headers: Record<string, string | string[] | undefined>;
  text(): string;
  json<T = unknown>(): T;
}

export interface CallOptions {
  method?: string;
  /** a value to send as JSON, or raw bytes sent as they are */
  body?: unknown;
  headers?: Record<string, string>;
  /** the Host header; default `127.0.0.1:<port>` */
  host?: string;
  timeoutMs?: number;
  agent?: Agent;
}

export function httpCall(port: number, path: string, options: CallOptions = {}): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const body =
      options.body === undefined
        ? undefined
        : Buffer.isBuffer(options.body)
          ? options.body
          : Buffer.from(JSON.stringify(options.body));
    const req = request(
      {
        host: '127.0.0.1',
        port,
        path,
        method: options.method ?? 'GET',
        headers: { host: options.host ?? `127.0.0.1:${port}`, ...options.headers },
        ...(options.agent === undefined ? {} : { agent: options.agent }),
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('error', reject);
        res.on('end', () => {
          const bytes = Buffer.concat(chunks);
          resolve({
            status: res.statusCode ?? 0,
            body: bytes,
            headers: res.headers,
            text: () => bytes.toString('utf8'),
            json: <T>() => JSON.parse(bytes.toString('utf8')) as T,
          });
        });
      },
    );
    req.setTimeout(options.timeoutMs ?? 15_000, () =>
      req.destroy(new Error(`no answer to ${options.method ?? 'GET'} ${path} in time`)),
    );
    req.on('error', reject);
    req.end(body);
  });
}

/** Resolves when `promise` does, or rejects after `ms` saying what it was waiting for. */
export function within<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const deadline = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`timed out after ${ms} ms waiting for ${what}`)), ms);
  });
  return Promise.race([promise, deadline]).finally(() => clearTimeout(timer));
}
