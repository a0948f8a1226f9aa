/**
 * The `tessera` command line: generate, infill, caption, score and list models with the
 * same engine the studio uses. Every command honours --home DIR (or TESSERA_HOME) and --json.
 */
import { parseArgs } from 'node:util';
import { ImageReadError } from '../media/load-image.ts';
import { InferenceClient } from '../inference/client.ts';
import { CliError } from './errors.ts';
import { captionCommand, scoreCommand } from './commands/caption.ts';
import { generateCommand } from './commands/generate.ts';
import type { CommandContext } from './context.ts';
import { infillCommand } from './commands/infill.ts';
import { modelsCommand } from './commands/models.ts';
import { resolveHome } from './home.ts';

const USAGE = `usage: tessera <command> [options]

  generate --prompt TEXT [--negative TEXT] [--style SET] [--seed N] [--cfg X] [--temperature X] [--top-k N]
           [--top-p X] [--cdk] [--count N] [--best-of N] [--model ID]
           [--provider cpu|webgpu|cuda|dml|coreml] [--threads N] --out FILE.png
  generate --replay FILE.png [--out FILE.png]
  infill   --image FILE --mask FILE --prompt TEXT [--seed N] [--feather PX] --out FILE.png
  caption  FILE... [--temperature X [--top-p X] [--seed N]] [--json]
  score    --image FILE --text TEXT [--text TEXT ...]
  models   [--json]

  every command: --home DIR (or TESSERA_HOME), --json, --model ID`;

const OPTIONS = {
  prompt: { type: 'string' },
  negative: { type: 'string' },
  style: { type: 'string' },
  seed: { type: 'string' },
  cfg: { type: 'string' },
  temperature: { type: 'string' },
  'top-k': { type: 'string' },
  'top-p': { type: 'string' },
  cdk: { type: 'boolean' },
  count: { type: 'string' },
  'best-of': { type: 'string' },
  model: { type: 'string' },
  provider: { type: 'string' },
  threads: { type: 'string' },
  out: { type: 'string' },
  replay: { type: 'string' },
  image: { type: 'string' },
  mask: { type: 'string' },
  feather: { type: 'string' },
  text: { type: 'string', multiple: true },
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
  const { text, ...values } = parsed.values;
  if (command === undefined || values.help === true) {
    process.stdout.write(`${USAGE}\n`);
    return command === undefined && values.help !== true ? 2 : 0;
  }
  const client = new InferenceClient();
  const ctx: CommandContext = {
    home: resolveHome(values.home),
    json: values.json === true,
    client,
    print: (line) => process.stdout.write(`${line}\n`),
    warn: (line) => process.stderr.write(`${line}\n`),
  };
  try {
    if (command === 'generate') await generateCommand(ctx, values);
    else if (command === 'infill') await infillCommand(ctx, values);
    else if (command === 'caption') await captionCommand(ctx, values, rest);
    else if (command === 'score') await scoreCommand(ctx, values, text ?? []);
    else if (command === 'models') modelsCommand(ctx);
    else throw new CliError(`unknown command "${command}"\n${USAGE}`, 2);
    return 0;
  } catch (err) {
    const known = err instanceof CliError || err instanceof ImageReadError;
    const message = err instanceof Error ? err.message : String(err);
    process.stderr.write(`tessera: ${known ? message : `unexpected error: ${message}`}\n`);
    return err instanceof CliError ? err.exitCode : 1;
  } finally {
    await client.close();
  }
}

process.exitCode = await main(process.argv.slice(2));
