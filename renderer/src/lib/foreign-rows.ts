/**
 * What an image imported from another tool carried, as the detail panel shows it: the tool,
 * then the prompt, seed, sampler and steps first (what a user compares across tools), then every
 * other setting as the file named it; and the raw text it came in (AUTOMATIC1111's parameters,
 * ComfyUI's workflow and prompt graph, JSON laid out to read). Pure.
 */
import type { ItemDetailView } from '../../../app/common/contract.ts';

export type Foreign = NonNullable<ItemDetailView['foreign']>;

const TOOLS: Record<Foreign['tool'], string> = {
  automatic1111: 'AUTOMATIC1111 (or a tool writing its parameters)',
  comfyui: 'ComfyUI',
};

/** The settings shown first, in this order, when the file has them. */
const FIRST = ['Seed', 'Sampler', 'Schedule type', 'Steps', 'CFG scale', 'Model'];

export function foreignRows(f: Foreign): [label: string, value: string][] {
  const rows: [string, string][] = [
    ['Made with', TOOLS[f.tool]],
    ['Prompt', f.prompt === '' ? '(none)' : f.prompt],
  ];
  if (f.negativePrompt !== '') rows.push(['Negative prompt', f.negativePrompt]);
  const settings = { ...f.settings };
  // The seed as the library filters by it, when the file's text is a whole number.
  if (f.seed !== null) settings.Seed = String(f.seed);
  for (const key of FIRST) if (settings[key] !== undefined) rows.push([key, settings[key]]);
  for (const [key, value] of Object.entries(settings))
    if (!FIRST.includes(key)) rows.push([key, value]);
  return rows;
}

/** JSON laid out two spaces deep; any other text as it is. */
export function readableJson(text: string): string {
  try {
    return JSON.stringify(JSON.parse(text), null, 2);
  } catch {
    return text;
  }
}

/** The text the file carried its recipe in, each with what it is. */
export function foreignSources(f: Foreign): { label: string; text: string }[] {
  const out: { label: string; text: string }[] = [];
  if (f.infotext !== '') out.push({ label: 'Parameters, as the file has them', text: f.infotext });
  if (f.workflow !== null) out.push({ label: 'ComfyUI workflow', text: readableJson(f.workflow) });
  if (f.promptGraph !== null)
    out.push({ label: 'ComfyUI prompt graph', text: readableJson(f.promptGraph) });
  return out;
}
