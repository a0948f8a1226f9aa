/**
 * tessera serve [--port N] [--allow-folder DIR]... [--open | --no-open]: the studio's contract on
 * 127.0.0.1 (web mode), until Ctrl-C. Prints the address with this launch's token; nothing
 * answers without it. --open also opens it in the browser where a desktop is available.
 * The page may name paths (folders to caption or import, export destinations) only inside the
 * folders allowed here.
 */
import { AllowListError } from '../../web/folder-allow-list.ts';
import { startWebServer } from '../../web/serve.ts';
import { CliError } from '../errors.ts';
import { openBrowser } from '../open-browser.ts';
import type { CommandContext } from '../context.ts';
import { numberOption, type Values } from '../options.ts';

export async function serveCommand(
  ctx: CommandContext,
  values: Values,
  allowFolders: readonly string[],
): Promise<void> {
  const web = await startWebServer({
    home: ctx.home,
    port: numberOption(values, 'port', 0, [0, 65535], true),
    log: (line) => ctx.warn(line),
    allowFolders,
  }).catch((err: unknown) => {
    if (err instanceof AllowListError) throw new CliError(err.message, 2);
    throw err;
  });
  ctx.print(
    ctx.json
      ? JSON.stringify({ url: web.url, port: web.port, allowedFolders: web.allowedFolders })
      : `Tessera studio: open ${web.url} in your browser (listening on 127.0.0.1 only; the token in the address is required, and changes at every launch)`,
  );
  if (values.open === true && values['no-open'] !== true) {
    const notOpened = await openBrowser(web.url);
    if (!ctx.json)
      ctx.warn(
        notOpened === null
          ? 'Opened the studio in your browser.'
          : `Not opening a browser (${notOpened}): open the address above yourself.`,
      );
  }
  if (!ctx.json)
    ctx.warn(
      web.allowedFolders.length === 0
        ? 'The page may name no folder on this computer (export downloads, infill uploads); allow one with --allow-folder DIR'
        : `The page may use paths inside: ${web.allowedFolders.join(', ')}`,
    );
  await new Promise<void>((resolve) => {
    process.once('SIGINT', resolve);
    process.once('SIGTERM', resolve);
  });
  ctx.warn('stopping: running jobs pause and resume at the next launch');
  await web.close();
}
