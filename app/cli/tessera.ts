/**
 * The `tessera` command line: generate, infill, caption, score and list models with the
 * same engine the studio uses. Every command honours --home DIR (or TESSERA_HOME) and --json.
 */
import { parseArgs } from 'node:util';
import { describeError, INTERNAL } from '../common/errors.ts';
import { InferenceClient } from '../inference/client.ts';
import { CliError } from './errors.ts';
import { captionCommand, scoreCommand } from './commands/caption.ts';
import { generateCommand } from './commands/generate.ts';
import type { CommandContext } from './context.ts';
import { infillCommand } from './commands/infill.ts';
import { modelsCommand } from './commands/models.ts';
import { jobsCommand, JOBS_USAGE } from './commands/jobs.ts';
import { serveCommand } from './commands/serve.ts';
import { compareCommand } from './commands/compare.ts';
import { libraryCommand, LIBRARY_USAGE } from './commands/library.ts';
import { openGallery, type Gallery } from '../gallery/index.ts';
import { recoverOrphanedJobs } from '../jobs/runner.ts';
import { join } from 'node:path';
import { resolveHome } from '../models/data-home.ts';

const USAGE = `usage: tessera <command> [options]

  generate --prompt TEXT [--negative TEXT] [--style SET] [--seed N] [--cfg X] [--temperature X] [--top-k N]
           [--top-p X] [--cdk] [--count N] [--best-of N] [--model ID]
           [--decoding plain|parallel [--window N]] [--steps N] [--sampler NAME]
           [--provider cpu|webgpu|cuda|dml|coreml] [--threads N] [--out FILE.png] [--board NAME]
  generate --replay FILE.png [--out FILE.png]
  infill   --image FILE|--item ID --mask FILE --prompt TEXT [--seed N] [--feather PX] [--out FILE.png]
           [--steps N] [--sampler NAME] [--resample N]
  infill   --image FILE|--item ID --keep-rows N [--prompt TEXT] ...   continue from the top N model rows
  caption  FILE... [--temperature X [--top-p X] [--seed N]] [--json]
  caption  --folder DIR [--recursive] [--include-hidden] [--write-xmp] [--retry-failed]
  score    --image FILE --text TEXT [--text TEXT ...]   log p(text | image) per text
  score    --image FILE                  exact bits per dimension (models with exact likelihood)
  compare  --prompt TEXT [--models A,B,...] [--seed N] --out SHEET.png
           the prompt through every installed model that can generate (same seed, each
           model's defaults); results go to the library, the sheet shows them side by side
  models   [--json]
  models   import DIR       check a model folder against its manifest and copy it into the data folder
  models   pull OWNER/NAME [--revision R] [--dtype fp32|fp16|q4|q4f16]
           download a model Tessera runs from the hub (HF_ENDPOINT sets another hub), check
           every file's size and sha256, and import it; an interrupted pull resumes
  models   convert janus-pro SRC [--out DIR] [--dtype D]
           convert a transformers checkpoint with native-models' Python and import it
  serve    [--port N] [--allow-folder DIR]... [--open | --no-open]
           the studio's contract on 127.0.0.1, behind a per-launch token; the page may name
           paths only inside the folders --allow-folder names (repeatable); --open opens the
           address in the browser where a desktop is available (\`npm start\` does)
${LIBRARY_USAGE}
${JOBS_USAGE}

  generate and infill results land in the library (--board NAME adds them to a board too);
  --out also writes a copy. Ctrl-C pauses a running job; \`tessera jobs resume ID\` continues it.
  --steps and --sampler set a diffusion model's denoising (its manifest's defaults, bounds and
  samplers; \`tessera models --json\` lists them); token models take neither.
  every command: --home DIR (or TESSERA_HOME), --json, --model ID`;

const OPTIONS = {
  prompt: { type: 'string' },
  models: { type: 'string' },
  negative: { type: 'string' },
  style: { type: 'string' },
  seed: { type: 'string' },
  cfg: { type: 'string' },
  temperature: { type: 'string' },
  'top-k': { type: 'string' },
  'top-p': { type: 'string' },
  cdk: { type: 'boolean' },
  decoding: { type: 'string' },
  window: { type: 'string' },
  steps: { type: 'string' },
  sampler: { type: 'string' },
  resample: { type: 'string' },
  count: { type: 'string' },
  'best-of': { type: 'string' },
  model: { type: 'string' },
  provider: { type: 'string' },
  threads: { type: 'string' },
  out: { type: 'string' },
  revision: { type: 'string' },
  dtype: { type: 'string' },
  replay: { type: 'string' },
  image: { type: 'string' },
  mask: { type: 'string' },
  'keep-rows': { type: 'string' },
  feather: { type: 'string' },
  text: { type: 'string', multiple: true },
  item: { type: 'string' },
  board: { type: 'string' },
  folder: { type: 'string' },
  recursive: { type: 'boolean' },
  'include-hidden': { type: 'boolean' },
  'write-xmp': { type: 'boolean' },
  'retry-failed': { type: 'boolean' },
  kind: { type: 'string' },
  family: { type: 'string' },
  port: { type: 'string' },
  'allow-folder': { type: 'string', multiple: true },
  open: { type: 'boolean' },
  'no-open': { type: 'boolean' },
  tag: { type: 'string' },
  starred: { type: 'boolean' },
  'min-rating': { type: 'string' },
  captioned: { type: 'boolean' },
  since: { type: 'string' },
  until: { type: 'string' },
  sort: { type: 'string' },
  limit: { type: 'string' },
  trashed: { type: 'boolean' },
  home: { type: 'string' },
  json: { type: 'boolean' },
  help: { type: 'boolean', short: 'h' },
} as const;

export async function main(argv: string[]): Promise<number> {
  let parsed;
  try {
    parsed = parseArgs({ args: argv, options: OPTIONS, allowPositionals: true, strict: true });
  } catch (err) {
    process.stderr.write(
      `tessera: ${err instanceof Error ? err.message : String(err)}\n${USAGE}\n`,
    );
    return 2;
  }
  const [command, ...rest] = parsed.positionals;
  const { text, 'allow-folder': allowFolders, ...values } = parsed.values;
  if (command === undefined || values.help === true) {
    process.stdout.write(`${USAGE}\n`);
    return command === undefined && values.help !== true ? 2 : 0;
  }
  const client = new InferenceClient();
  const home = resolveHome(values.home);
  let gallery: Gallery | null = null;
  const ctx: CommandContext = {
    home,
    json: values.json === true,
    client,
    library: () => {
      if (gallery === null) {
        gallery = openGallery(join(home, 'library'));
        recoverOrphanedJobs(gallery);
      }
      return gallery;
    },
    print: (line) => process.stdout.write(`${line}\n`),
    warn: (line) => process.stderr.write(`${line}\n`),
  };
  try {
    if (command === 'generate') await generateCommand(ctx, values);
    else if (command === 'infill') await infillCommand(ctx, values);
    else if (command === 'caption') await captionCommand(ctx, values, rest);
    else if (command === 'score') await scoreCommand(ctx, values, text ?? []);
    else if (command === 'compare') await compareCommand(ctx, values);
    else if (command === 'models')
      await modelsCommand(ctx, rest, {
        revision: values.revision,
        dtype: values.dtype,
        out: values.out,
      });
    else if (command === 'library') await libraryCommand(ctx, values, rest);
    else if (command === 'jobs') await jobsCommand(ctx, values, rest);
    else if (command === 'serve') await serveCommand(ctx, values, allowFolders ?? []);
    else throw new CliError(`unknown command "${command}"\n${USAGE}`, 2);
    return 0;
  } catch (err) {
    const { code, message } = describeError(err);
    process.stderr.write(
      `tessera: ${code === INTERNAL ? `unexpected error: ${message}` : message}\n`,
    );
    return err instanceof CliError ? err.exitCode : 1;
  } finally {
    await client.close();
    (gallery as Gallery | null)?.close();
  }
}

process.exitCode = await main(process.argv.slice(2));
