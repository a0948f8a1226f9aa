/**
 * tessera library list|search|show|similar|lineage|export|import|star|unstar|rate|tag|untag|
 *   caption|trash|restore|boards|board-add ...
 * The same library the studio shows: <home>/library.
 */
import { isAbsolute, resolve } from 'node:path';
import type { ItemDetail, ItemQuery, ItemSummary } from '../../gallery/index.ts';
import { exportToFolder, exportToZip } from '../../library/export-items.ts';
import { importPaths } from '../../library/import-files.ts';
import type { CommandContext } from '../context.ts';
import { CliError } from '../errors.ts';
import { numberOption, type Values } from '../options.ts';

export const LIBRARY_USAGE = `  library list [--kind generation|photo] [--model ID] [--family F] [--tag T] [--board NAME] [--starred]
               [--min-rating N] [--captioned] [--since DATE] [--until DATE] [--seed N] [--sort newest|oldest|adherence|surprise] [--limit N] [--trashed]
  library search TEXT [filters as for list]
  library show ID | similar ID | lineage ID
  library export ID... --out FOLDER|FILE.zip
  library import PATH... [--recursive]
  library star|unstar|trash|restore ID...     library rate N ID...
  library tag TAG ID...   library untag TAG ID...   library caption ID TEXT
  library boards          library board-add NAME ID...`;

function ids(args: readonly string[], what = 'ID'): number[] {
  if (args.length === 0) throw new CliError(`name at least one ${what}`, 2);
  return args.map((a) => {
    const n = Number(a);
    if (!Number.isInteger(n) || n <= 0)
      throw new CliError(`"${a}" is not a library item id (see \`tessera library list\`)`, 2);
    return n;
  });
}

function dateOption(values: Values, name: string): number | undefined {
  const raw = values[name];
  if (raw === undefined) return undefined;
  const t = Date.parse(String(raw));
  if (Number.isNaN(t))
    throw new CliError(`--${name} must be a date like 2026-11-22, got "${String(raw)}"`, 2);
  return t;
}

function queryFrom(ctx: CommandContext, values: Values, text?: string): ItemQuery {
  const kind = values.kind;
  if (kind !== undefined && kind !== 'generation' && kind !== 'photo')
    throw new CliError('--kind must be generation or photo', 2);
  const sort = values.sort;
  if (
    sort !== undefined &&
    sort !== 'newest' &&
    sort !== 'oldest' &&
    sort !== 'adherence' &&
    sort !== 'surprise'
  )
    throw new CliError('--sort must be newest, oldest, adherence or surprise', 2);
  let boardId: number | undefined;
  if (typeof values.board === 'string') {
    const board = ctx
      .library()
      .listBoards()
      .find((b) => b.name.toLowerCase() === String(values.board).toLowerCase());
    if (board === undefined)
      throw new CliError(`there is no board "${values.board}" (see \`tessera library boards\`)`);
    boardId = board.id;
  }
  return {
    text,
    kind,
    modelId: typeof values.model === 'string' ? values.model : undefined,
    family: typeof values.family === 'string' ? values.family : undefined,
    tag: typeof values.tag === 'string' ? values.tag : undefined,
    boardId,
    starred: values.starred === true ? true : undefined,
    minRating:
      values['min-rating'] === undefined
        ? undefined
        : numberOption(values, 'min-rating', 0, [0, 5], true),
    captioned: values.captioned === true ? true : undefined,
    from: dateOption(values, 'since'),
    to: dateOption(values, 'until'),
    seed:
      values.seed === undefined
        ? undefined
        : numberOption(values, 'seed', 0, [0, 0xffffffff], true),
    trashed: values.trashed === true,
    sort,
    limit: numberOption(values, 'limit', 50, [1, 1000], true),
  };
}

/**
 * A title on one line of a listing: whitespace runs (line breaks included) collapse to one
 * space, and other control characters are shown escaped instead of reaching the terminal.
 */
function oneLine(text: string): string {
  const isControl = (code: number) => code < 0x20 || (code >= 0x7f && code <= 0x9f);
  return [...text.replace(/\s+/g, ' ').trim()]
    .map((c) => {
      const code = c.codePointAt(0)!;
      return isControl(code) ? `\\u${code.toString(16).padStart(4, '0')}` : c;
    })
    .join('');
}

/** The settings line of `library show`, in the order a reader looks for them. */
const SHOWN_SETTINGS = [
  'Model',
  'Seed',
  'Steps',
  'Sampler',
  'Schedule type',
  'CFG scale',
  'Denoising strength',
  'Size',
];

function printForeign(ctx: CommandContext, foreign: NonNullable<ItemDetail['foreign']>): void {
  const tool = foreign.tool === 'comfyui' ? 'ComfyUI' : 'AUTOMATIC1111';
  ctx.print(
    `prompt: ${foreign.prompt}${foreign.negativePrompt ? `\nnegative: ${foreign.negativePrompt}` : ''}`,
  );
  const s = foreign.settings;
  const shown = SHOWN_SETTINGS.filter((k) => s[k] !== undefined).map(
    (k) => `${k.toLowerCase()} ${s[k]}`,
  );
  ctx.print(`made with ${tool}${shown.length > 0 ? `: ${shown.join('  ')}` : ''}`);
  const rest = Object.keys(s).filter((k) => !SHOWN_SETTINGS.includes(k));
  if (rest.length > 0) ctx.print(`settings: ${rest.map((k) => `${k}: ${s[k]}`).join(', ')}`);
  if (foreign.workflow !== null) ctx.print('workflow: kept (see --json)');
}

function printItems(ctx: CommandContext, items: ItemSummary[], more: boolean): void {
  if (ctx.json) {
    ctx.print(JSON.stringify({ items, more }));
    return;
  }
  for (const i of items) {
    const when = new Date(i.createdAt).toISOString().slice(0, 16).replace('T', ' ');
    ctx.print(
      `${String(i.id).padStart(6)}  ${when}  ${i.kind === 'generation' ? 'gen  ' : 'photo'}  ${i.starred ? '★' : ' '}${i.rating > 0 ? ` ${i.rating}/5` : '    '}  ${oneLine(i.title)}`,
    );
  }
  if (items.length === 0) ctx.print('(nothing found)');
  else if (more) ctx.print('(more: raise --limit or narrow the filters)');
}

export async function libraryCommand(
  ctx: CommandContext,
  values: Values,
  args: string[],
): Promise<void> {
  const [verb, ...rest] = args;
  const gallery = ctx.library();
  switch (verb) {
    case undefined:
    case 'list': {
      const page = gallery.query(queryFrom(ctx, values));
      return printItems(ctx, page.items, page.nextCursor !== null);
    }
    case 'search': {
      const text = rest.join(' ').trim();
      if (text === '') throw new CliError('library search needs words to look for', 2);
      const page = gallery.query(queryFrom(ctx, values, text));
      return printItems(ctx, page.items, page.nextCursor !== null);
    }
    case 'show': {
      const [id] = ids(rest);
      const item = gallery.getItem(id!);
      if (item === null) throw new CliError(`there is no library item ${id}`);
      if (ctx.json) return ctx.print(JSON.stringify(item));
      ctx.print(
        `item ${item.id}  ${item.kind}  ${item.width}×${item.height}  ${item.mime}  ${item.filePath ?? '(file missing)'}`,
      );
      ctx.print(
        `added ${new Date(item.createdAt).toISOString()}${item.deletedAt !== null ? '  (in the trash)' : ''}`,
      );
      if (item.generation !== null) {
        const r = item.generation.recipe;
        ctx.print(
          `prompt: ${r.prompt}${r.negativePrompt ? `\nnegative: ${r.negativePrompt}` : ''}`,
        );
        ctx.print(
          `model ${r.modelId} (${r.modelSha256.slice(0, 10)})  seed ${r.seed}  cfg ${r.sampling.cfgScale}  top-p ${r.sampling.topP}  provider ${r.provider}`,
        );
      }
      if (item.foreign !== null) printForeign(ctx, item.foreign);
      if (item.likelihood !== null)
        ctx.print(
          `${item.likelihood.bitsPerDim.toFixed(4)} bits/dim under ${item.likelihood.modelId}: how surprising the image is to the model (lower = more typical)`,
        );
      for (const c of item.captions)
        ctx.print(
          `caption (${c.source}${c.modelId ? ` ${c.modelId}` : ''}, ${c.role}): ${c.text}${c.conflict ? `\n  conflict: ${c.conflict}` : ''}`,
        );
      if (item.tags.length > 0) ctx.print(`tags: ${item.tags.join(', ')}`);
      if (item.boards.length > 0) ctx.print(`boards: ${item.boards.map((b) => b.name).join(', ')}`);
      for (const p of item.parents) ctx.print(`parent: item ${p.id} (${p.op})`);
      for (const c of item.children) ctx.print(`child: item ${c.id} (${c.op})`);
      for (const f of item.files) ctx.print(`file: ${f}`);
      return;
    }
    case 'similar': {
      const [id] = ids(rest);
      const hits = gallery.similar(id!, numberOption(values, 'limit', 10, [1, 1000], true));
      if (ctx.json) return ctx.print(JSON.stringify(hits));
      for (const h of hits)
        ctx.print(
          `${String(h.id).padStart(6)}  ${h.score.toFixed(3)}  ${oneLine(gallery.getItem(h.id)?.title ?? '')}`,
        );
      return;
    }
    case 'lineage': {
      const [id] = ids(rest);
      const tree = gallery.lineage(id!);
      if (ctx.json) return ctx.print(JSON.stringify(tree));
      for (const n of tree)
        ctx.print(
          `${'  '.repeat(Math.max(0, n.depth))}${n.id}${n.op ? ` (${n.op} of ${n.parentId})` : ''}${n.id === id ? '  ← this item' : ''}`,
        );
      return;
    }
    case 'export': {
      const out = values.out;
      if (typeof out !== 'string' || out === '')
        throw new CliError('library export needs --out FOLDER or --out FILE.zip', 2);
      const chosen = ids(rest);
      const target = isAbsolute(out) ? out : resolve(out);
      const files = out.toLowerCase().endsWith('.zip')
        ? await exportToZip(gallery, chosen, target)
        : await exportToFolder(gallery, chosen, target);
      if (ctx.json) return ctx.print(JSON.stringify({ out: target, files }));
      ctx.print(`${files.length} item(s) exported to ${target}`);
      return;
    }
    case 'import': {
      if (rest.length === 0)
        throw new CliError('library import needs at least one file or folder', 2);
      let failed = 0;
      for await (const r of importPaths(gallery, rest, values.recursive === true)) {
        if (r.status === 'failed') failed++;
        ctx.print(
          ctx.json
            ? JSON.stringify(r)
            : `${r.path}\t${r.status === 'failed' ? `error: ${r.message}` : `${r.status} as item ${r.assetId}${r.kind ? ` (${r.kind})` : ''}`}`,
        );
      }
      if (failed > 0) throw new CliError(`${failed} file(s) could not be imported (see above)`);
      return;
    }
    case 'star':
    case 'unstar':
      gallery.setStar(ids(rest), verb === 'star');
      return;
    case 'rate': {
      const [n, ...targets] = rest;
      const rating = Number(n);
      if (!Number.isInteger(rating) || rating < 0 || rating > 5)
        throw new CliError('library rate needs a rating from 0 to 5, then item ids', 2);
      gallery.setRating(ids(targets), rating);
      return;
    }
    case 'tag':
    case 'untag': {
      const [tag, ...targets] = rest;
      if (tag === undefined || tag.trim() === '')
        throw new CliError(`library ${verb} needs a tag, then item ids`, 2);
      if (verb === 'tag') gallery.addTags(ids(targets), [tag.trim()]);
      else gallery.removeTags(ids(targets), [tag.trim()]);
      return;
    }
    case 'caption': {
      const [id, ...words] = rest;
      const text = words.join(' ').trim();
      if (text === '')
        throw new CliError('library caption needs an item id and the caption text', 2);
      gallery.setUserCaption(ids([id!])[0]!, text);
      return;
    }
    case 'trash':
      gallery.trash(ids(rest));
      return;
    case 'restore':
      gallery.restore(ids(rest));
      return;
    case 'boards': {
      const boards = gallery.listBoards();
      if (ctx.json) return ctx.print(JSON.stringify(boards));
      for (const b of boards)
        ctx.print(`${b.name}\t${b.count} item(s)${b.autoAdd ? '\t(auto-add)' : ''}`);
      if (boards.length === 0) ctx.print('(no boards yet: tessera library board-add NAME ID...)');
      return;
    }
    case 'board-add': {
      const [name, ...targets] = rest;
      if (name === undefined || name.trim() === '')
        throw new CliError('library board-add needs a board name, then item ids', 2);
      const chosen = ids(targets);
      const board =
        gallery.listBoards().find((b) => b.name.toLowerCase() === name.trim().toLowerCase())?.id ??
        gallery.createBoard(name.trim());
      gallery.addToBoard(board, chosen);
      return;
    }
    default:
      throw new CliError(`unknown library command "${verb}"\n${LIBRARY_USAGE}`, 2);
  }
}
