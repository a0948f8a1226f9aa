/**
 * Every file web mode sends goes through here, so that no file can take the server down: the
 * file is opened before anything is answered (without blocking on a FIFO or other special
 * file), anything but a regular file is refused, and a read that fails midway ends that one
 * response instead of throwing an unhandled stream error at the process.
 */
import { constants, createReadStream } from 'node:fs';
import { open, type FileHandle } from 'node:fs/promises';
import type { ServerResponse } from 'node:http';
import { sendJson } from './send-json.ts';

/** HTTP status and a sentence for a file that could not be opened. */
function failureOf(err: unknown): { status: number; code: string; message: string } {
  const code = (err as NodeJS.ErrnoException).code;
  if (code === 'ENOENT' || code === 'ENOTDIR' || code === 'EISDIR')
    return { status: 404, code: 'not-found', message: 'no such file' };
  if (code === 'EACCES' || code === 'EPERM')
    return {
      status: 403,
      code: 'forbidden',
      message: "the file cannot be read: check the permissions of Tessera's data folder",
    };
  return { status: 500, code: 'internal', message: 'the file could not be read' };
}

export async function sendFile(
  res: ServerResponse,
  path: string,
  headers: Record<string, string>,
  log: (line: string) => void = () => {},
): Promise<void> {
  let handle: FileHandle;
  try {
    // O_NONBLOCK: opening a FIFO for reading must not wait for a writer.
    handle = await open(path, constants.O_RDONLY | constants.O_NONBLOCK);
  } catch (err) {
    const failure = failureOf(err);
    sendJson(res, failure.status, {
      ok: false,
      error: { code: failure.code, message: failure.message },
    });
    return;
  }
  let size: number;
  try {
    const info = await handle.stat();
    if (!info.isFile()) {
      await handle.close();
      sendJson(res, 404, { ok: false, error: { code: 'not-found', message: 'no such file' } });
      return;
    }
    size = info.size;
  } catch (err) {
    await handle.close().catch(() => {});
    const failure = failureOf(err);
    sendJson(res, failure.status, {
      ok: false,
      error: { code: failure.code, message: failure.message },
    });
    return;
  }
  if (res.destroyed) {
    // The client left while the file was opened: nothing to send, nothing left open.
    await handle.close();
    return;
  }
  const stream = createReadStream('', { fd: handle, autoClose: true });
  stream.on('error', (err) => {
    log(`reading ${path} failed: ${(err as NodeJS.ErrnoException).code ?? err.message}`);
    if (!res.headersSent) {
      const failure = failureOf(err);
      sendJson(res, failure.status, {
        ok: false,
        error: { code: failure.code, message: failure.message },
      });
    } else res.destroy();
  });
  res.on('close', () => stream.destroy());
  res.writeHead(200, { ...headers, 'content-length': String(size) });
  stream.pipe(res);
}
