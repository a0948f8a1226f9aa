/**
 * Per-model settings kept in <home>/settings.json, shared by the studio and the CLI's data
 * folder: which execution provider each model's new jobs ask for (the CPU unless chosen). The
 * file is rewritten atomically; one that cannot be read is treated as empty, never as fatal.
 */
import { readFileSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { z } from 'zod';
import { providerSchema, type Provider } from '../common/inference-contract.ts';
import { writeFileAtomic } from '../media/atomic-write.ts';

const settingsSchema = z.object({
  modelProviders: z.record(z.string(), providerSchema).default({}),
});
type Settings = z.infer<typeof settingsSchema>;

const settingsPath = (home: string) => join(home, 'settings.json');

function readSettings(home: string): Settings {
  try {
    const parsed = settingsSchema.safeParse(JSON.parse(readFileSync(settingsPath(home), 'utf8')));
    if (parsed.success) return parsed.data;
  } catch {
    // absent or unreadable: the defaults
  }
  return { modelProviders: {} };
}

/** The provider new jobs of `modelId` ask for. */
export function modelProvider(home: string, modelId: string): Provider {
  return readSettings(home).modelProviders[modelId] ?? 'cpu';
}

export async function setModelProvider(
  home: string,
  modelId: string,
  provider: Provider,
): Promise<void> {
  const settings = readSettings(home);
  settings.modelProviders[modelId] = provider;
  await mkdir(home, { recursive: true });
  await writeFileAtomic(settingsPath(home), Buffer.from(`${JSON.stringify(settings, null, 2)}\n`));
}
