/**
 * tessera models pull OWNER/NAME [--revision R] [--dtype D]: a model from a Hugging Face-style
 * hub (HF_ENDPOINT), with a progress line of bytes, speed and time left on a terminal.
 * tessera models convert janus-pro|chameleon SRC [--out DIR] [--dtype D]: a transformers
 * checkpoint through native-models' converter. Both end in the same verified import.
 */
import { convertCheckpoint } from '../../models/pull/convert.ts';
import { pullModel, type PullProgress } from '../../models/pull/pull-model.ts';
import { CliError } from '../errors.ts';
import type { CommandContext } from '../context.ts';

export interface FetchOptions {
  revision?: string;
  dtype?: string;
  out?: string;
}

const mib = (n: number) => `${(n / 2 ** 20).toFixed(1)} MiB`;

function clock(seconds: number | null): string {
  if (seconds === null) return '--';
  const s = Math.round(seconds);
  return s < 60 ? `${s}s` : `${Math.floor(s / 60)}m${String(s % 60).padStart(2, '0')}s`;
}

/** One line, redrawn in place on a terminal; nothing on a pipe or with --json. */
function progressLine(ctx: CommandContext): (p: PullProgress) => void {
  if (ctx.json || process.stderr.isTTY !== true) return () => {};
  return (p) => {
    const line =
      p.phase === 'downloading'
        ? `${mib(p.doneBytes)} / ${mib(p.totalBytes)}  ${mib(p.bytesPerSecond)}/s  ETA ${clock(p.etaSeconds)}  ${p.file ?? ''}`
        : p.phase === 'importing'
          ? 'checking and installing…'
          : 'asking the hub…';
    process.stderr.write(`\r${line}\x1b[K${p.phase === 'importing' ? '\n' : ''}`);
  };
}

export async function pullCommand(
  ctx: CommandContext,
  repo: string | undefined,
  opts: FetchOptions,
): Promise<void> {
  if (repo === undefined)
    throw new CliError('models pull needs a repository: tessera models pull OWNER/NAME', 2);
  const cancel = new AbortController();
  const onSignal = () => cancel.abort();
  process.once('SIGINT', onSignal);
  try {
    const pulled = await pullModel(ctx.home, {
      repo,
      revision: opts.revision,
      dtype: opts.dtype,
      signal: cancel.signal,
      onProgress: progressLine(ctx),
    });
    if (pulled.warning !== null) ctx.warn(`note: ${pulled.warning}`);
    if (ctx.json) return ctx.print(JSON.stringify(pulled));
    ctx.print(
      `pulled ${pulled.repo} (${pulled.dtype}, ${mib(pulled.fetchedBytes)} fetched) as ${pulled.name} (${pulled.id}) into ${pulled.dir}`,
    );
  } finally {
    process.off('SIGINT', onSignal);
  }
}

export async function convertCommand(
  ctx: CommandContext,
  args: string[],
  opts: FetchOptions,
): Promise<void> {
  const [family, src, ...extra] = args;
  if (family === undefined || src === undefined || extra.length > 0)
    throw new CliError(
      'models convert needs the family and the checkpoint folder: tessera models convert janus-pro SRC [--out DIR]',
      2,
    );
  if (!ctx.json && process.stderr.isTTY === true)
    process.stderr.write(`converting ${src} (this takes a while for a large checkpoint)…\n`);
  const converted = await convertCheckpoint(ctx.home, {
    family,
    src,
    out: opts.out,
    dtype: opts.dtype,
  });
  if (converted.warning !== null) ctx.warn(`note: ${converted.warning}`);
  if (ctx.json) return ctx.print(JSON.stringify(converted));
  ctx.print(
    `converted ${src} into ${converted.name} (${converted.id}), installed in ${converted.dir}${converted.out === null ? '' : `; the converted folder is kept in ${converted.out}`}`,
  );
}
