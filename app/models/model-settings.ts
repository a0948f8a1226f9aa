/**
 * Per-model settings kept in <home>/settings.json, shared by the studio and the CLI's data
 * folder: which execution provider each model's new jobs ask for (the CPU unless chosen). The
 * file is rewritten atomically. One that cannot be read or parsed is never fatal (models list
 * and run on the defaults) and never silently replaced: a change is refused, saying what is
 * wrong with the file and what to do, until the user repairs or removes it.
 */
import { mkdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { z } from 'zod';
import { TesseraError } from '../common/errors.ts';
import { providerSchema, type Provider } from '../common/inference-contract.ts';
import { writeFileAtomic } from '../media/atomic-write.ts';

const settingsSchema = z.object({
  modelProviders: z.record(z.string(), providerSchema).default({}),
});
type Settings = z.infer<typeof settingsSchema>;

/** More than settings of every model ever made would need. */
const MAX_SETTINGS_BYTES = 1024 ** 2;

export class SettingsError extends TesseraError<'settings-damaged'> {
  constructor(message: string) {
    super('settings-damaged', message);
  }
}

export const settingsPath = (home: string) => join(home, 'settings.json');

/** The settings, and what is wrong with the file when it is there but not usable. */
export async function readSettings(
  home: string,
): Promise<{ settings: Settings; problem: string | null }> {
  const path = settingsPath(home);
  const defaults = { settings: { modelProviders: {} }, problem: null };
  let text: string;
  try {
    const bytes = await readFile(path);
    if (bytes.length > MAX_SETTINGS_BYTES) throw Object.assign(new Error(), { code: 'EFBIG' });
    text = bytes.toString('utf8');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') return defaults;
    return { ...defaults, problem: `${path} cannot be read (${code ?? String(err)})` };
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    return { ...defaults, problem: `${path} is not valid JSON` };
  }
  const parsed = settingsSchema.safeParse(json);
  if (!parsed.success) {
    const first = parsed.error.issues[0]!;
    return { ...defaults, problem: `${path} has ${first.path.join('.') || 'a'}: ${first.message}` };
  }
  return { settings: parsed.data, problem: null };
}

export async function setModelProvider(
  home: string,
  modelId: string,
  provider: Provider,
): Promise<void> {
  const { settings, problem } = await readSettings(home);
  if (problem !== null)
    throw new SettingsError(
      `${problem}: Tessera keeps your model settings there and did not change it; repair the file, or delete it to start from the defaults, then try again`,
    );
  settings.modelProviders[modelId] = provider;
  await mkdir(home, { recursive: true });
  await writeFileAtomic(settingsPath(home), Buffer.from(`${JSON.stringify(settings, null, 2)}\n`));
}
