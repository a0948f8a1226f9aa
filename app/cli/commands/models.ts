/**
 * tessera models [--json]: installed models with capabilities, sizes and a memory estimate.
 * tessera models import DIR: a model folder, checked against its manifest, copied into the data
 * folder (the same import as the studio's Models screen).
 * tessera models pull OWNER/NAME and tessera models convert FAMILY SRC: see models-fetch.ts.
 */
import { diffusionChoices } from '../../common/diffusion-settings.ts';
import { isRunnableFamily } from '../../common/model-manifest.ts';
import { resolve } from 'node:path';
import { importModelFolder } from '../../models/import-model.ts';
import { installedModels } from '../../models/installed.ts';
import { CliError } from '../errors.ts';
import type { CommandContext } from '../context.ts';
import { convertCommand, pullCommand, type FetchOptions } from './models-fetch.ts';

const mib = (bytes: number) => `${(bytes / 2 ** 20).toFixed(1)} MiB`;

async function importCommand(ctx: CommandContext, folder: string | undefined): Promise<void> {
  if (folder === undefined)
    throw new CliError('models import needs the model folder: tessera models import DIR', 2);
  // The folder is the user's, named relative to where they are.
  const imported = await importModelFolder(ctx.home, resolve(folder));
  if (imported.warning !== null) ctx.warn(`note: ${imported.warning}`);
  if (ctx.json) return ctx.print(JSON.stringify(imported));
  ctx.print(`imported ${imported.name} (${imported.id}) into ${imported.dir}`);
}

export async function modelsCommand(
  ctx: CommandContext,
  rest: string[] = [],
  opts: FetchOptions = {},
): Promise<void> {
  const [sub, folder, ...extra] = rest;
  if (sub === 'import' && extra.length === 0) return importCommand(ctx, folder);
  if (sub === 'pull' && extra.length === 0) return pullCommand(ctx, folder, opts);
  if (sub === 'convert') return convertCommand(ctx, rest.slice(1), opts);
  if (sub !== undefined)
    throw new CliError(
      `unknown models command "${rest.join(' ')}": use \`tessera models\`, \`tessera models import DIR\`, \`tessera models pull OWNER/NAME\` or \`tessera models convert janus-pro SRC\``,
      2,
    );
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
      denoising: diffusionChoices(x),
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
    const d = r.denoising;
    const denoising =
      d === null || d === undefined
        ? ''
        : `\n    steps ${d.bounds.steps[0]}–${d.bounds.steps[1]} (default ${d.defaults.steps}), sampler ${d.samplers.join('|')} (default ${d.defaults.sampler})`;
    ctx.print(
      `${r.id}  ${r.family}  ${r.image}  disk ${mib(r.diskBytes!)}  RAM ~${mib(r.recommendedRamBytes!)}  [${r.source}]${r.usable ? '' : '  (not runnable yet)'}\n    ${caps}${denoising}`,
    );
  }
}
