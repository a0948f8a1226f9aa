/**
 * Reads a JSON request body up to a limit. A body over the limit is answered 413 at once (from
 * its Content-Length when it declares one) and its connection is closed, so the rest of it is
 * never read and requests queued behind it on the same connection are not left waiting.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { sendJson } from './send-json.ts';

export class BodyError extends Error {}

function mib(bytes: number): string {
  return `${Math.floor(bytes / 2 ** 20)} MiB`;
}

/** Answers 413 and closes the connection once the answer is out. */
function refuseTooLarge(req: IncomingMessage, res: ServerResponse, limit: number): void {
  req.pause();
  res.on('finish', () => req.socket.destroy());
  sendJson(
    res,
    413,
    {
      ok: false,
      error: {
        code: 'too-large',
        message: `the request is over ${mib(limit)}: send a smaller file`,
      },
    },
    { connection: 'close' },
  );
}

/**
 * The parsed body, or undefined when this function already answered (413, or 400 for a body
 * that is not JSON).
 */
export async function readJsonBody(
  req: IncomingMessage,
  res: ServerResponse,
  limit: number,
): Promise<{ value: unknown } | undefined> {
  const declared = Number(req.headers['content-length']);
  if (Number.isFinite(declared) && declared > limit) {
    refuseTooLarge(req, res, limit);
    return undefined;
  }
  const chunks: Buffer[] = [];
  let size = 0;
  const complete = await new Promise<boolean>((resolve, reject) => {
    const onData = (chunk: Buffer) => {
      size += chunk.length;
      if (size > limit) {
        req.off('data', onData);
        resolve(false);
        return;
      }
      chunks.push(chunk);
    };
    req.on('data', onData);
    req.once('end', () => resolve(true));
    req.once('error', reject);
    req.once('close', () => resolve(!req.readableAborted));
  });
  if (!complete) {
    if (size > limit) refuseTooLarge(req, res, limit);
    else res.destroy();
    return undefined;
  }
  const text = Buffer.concat(chunks).toString('utf8');
  if (text === '') return { value: {} };
  try {
    return { value: JSON.parse(text) as unknown };
  } catch {
    sendJson(res, 400, {
      ok: false,
      error: { code: 'bad-request', message: 'the request body is not JSON' },
    });
    return undefined;
  }
}
