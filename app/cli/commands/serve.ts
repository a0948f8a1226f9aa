/**
 * tessera serve [--port N]: the studio's contract on 127.0.0.1 (web mode), until Ctrl-C.
 * Prints the address with this launch's token; nothing answers without it.
 */
import { startWebServer } from '../../web/serve.ts';
import type { CommandContext } from '../context.ts';
import { numberOption, type Values } from '../options.ts';

export async function serveCommand(ctx: CommandContext, values: Values): Promise<void> {
  const web = await startWebServer({
    home: ctx.home,
    port: numberOption(values, 'port', 0, [0, 65535], true),
    log: (line) => ctx.warn(line),
  });
  ctx.print(
    ctx.json
      ? JSON.stringify({ url: web.url, port: web.port })
      : `Tessera studio: open ${web.url} in your browser (listening on 127.0.0.1 only; the token in the address is required, and changes at every launch)`,
  );
  await new Promise<void>((resolve) => {
    process.once('SIGINT', resolve);
    process.once('SIGTERM', resolve);
  });
  ctx.warn('stopping: running jobs pause and resume at the next launch');
  await web.close();
}
