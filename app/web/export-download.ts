/**
 * Web mode's export: the zip goes to the browser as a download (`POST /api/export` with
 * `{ids}`), so the page never names a path the server would write to. The desktop app keeps
 * exporting to the folder or zip its native save dialog returns.
 */
import type { ServerResponse } from 'node:http';
import { CHANNELS } from '../common/contract.ts';
import { describeError, INTERNAL } from '../common/errors.ts';
import type { Gallery } from '../gallery/index.ts';
import { exportZipStream } from '../library/export-items.ts';
import { sendJson } from './send-json.ts';

const exportRequest = CHANNELS['gallery:export'].request.pick({ ids: true });

export async function sendExportZip(
  gallery: Gallery,
  payload: unknown,
  res: ServerResponse,
  log: (line: string) => void,
): Promise<void> {
  const parsed = exportRequest.safeParse(payload);
  if (!parsed.success) {
    sendJson(res, 400, {
      ok: false,
      error: { code: 'bad-request', message: 'send {"ids": [item ids]} to export' },
    });
    return;
  }
  let zip: Awaited<ReturnType<typeof exportZipStream>>;
  try {
    zip = await exportZipStream(gallery, parsed.data.ids);
  } catch (err) {
    // A TesseraError says which item and what to do; anything else (an errno names a path)
    // stays in the log.
    const described = describeError(err);
    log(`export failed: ${err instanceof Error ? err.message : String(err)}`);
    sendJson(res, described.code === INTERNAL ? 500 : 404, {
      ok: false,
      error:
        described.code === INTERNAL
          ? { code: 'export-failed', message: 'an item could not be read: run a library check' }
          : { code: described.code, message: described.message },
    });
    return;
  }
  const stamp = new Date().toISOString().slice(0, 19).replace(/[:T]/g, '-');
  res.writeHead(200, {
    'content-type': 'application/zip',
    'content-disposition': `attachment; filename="tessera-export-${stamp}.zip"`,
    'cache-control': 'no-store',
    'x-tessera-files': String(zip.files.length),
  });
  zip.stream.on('error', () => res.destroy());
  zip.stream.pipe(res);
}
