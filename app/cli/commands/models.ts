/** tessera models [--json]: installed models with capabilities, sizes and a memory estimate. */
import { isRunnableFamily } from '../../common/model-manifest.ts';
import { installedModels } from '../../models/installed.ts';
import type { CommandContext } from '../context.ts';

const mib = (bytes: number) => `${(bytes / 2 ** 20).toFixed(1)} MiB`;

export async function modelsCommand(ctx: CommandContext): Promise<void> {
  const rows = (await installedModels(ctx.home)).map((m) => {
    if (m.manifest === null)
      return { dir: m.dir, source: m.source, usable: false, problem: m.problem };
    const x = m.manifest;
    return {
      id: x.id,
      family: x.family,
      source: m.source,
      dir: m.dir,
      usable: isRunnableFamily(x.family),
      capabilities: x.capabilities,
      image: `${x.image.width}x${x.image.height}`,
      diskBytes: m.bytes,
      recommendedRamBytes: x.memory.recommendedRamBytes,
      metrics: x.metrics,
    };
  });
  if (ctx.json) {
    ctx.print(JSON.stringify(rows));
    return;
  }
  for (const r of rows) {
    if (!('id' in r)) {
      ctx.print(`(unusable) ${r.dir}: ${r.problem}`);
      continue;
    }
    const caps = Object.entries(r.capabilities!)
      .filter(([, v]) => v !== false && v !== 'none')
      .map(([k, v]) => (v === true ? k : `${k}:${String(v)}`))
      .join(' ');
    ctx.print(
      `${r.id}  ${r.family}  ${r.image}  disk ${mib(r.diskBytes!)}  RAM ~${mib(r.recommendedRamBytes!)}  [${r.source}]${r.usable ? '' : '  (not runnable yet)'}\n    ${caps}`,
    );
  }
}
