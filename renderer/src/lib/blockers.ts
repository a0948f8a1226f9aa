/**
 * What keeps the user from starting an action: one sentence that says what to do, or null when
 * nothing does. Generate, Infill and Caption each check the model first (missing, still loading,
 * or unable to run), then their own inputs, and show the first reason that applies. Pure.
 */
import type { ModelView } from '../../../app/common/contract.ts';

/** The longest prompt Generate sends. */
export const PROMPT_MAX = 2000;

type ModelState = Pick<ModelView, 'usable' | 'problem'> | undefined;

interface ModelRule {
  /** said when no installed model can do the action */
  missing: string;
  /** said when the model cannot run and names no problem of its own */
  unusable: string;
}

const LOADING = 'Loading models…';

/** The first reason of an ordered list whose condition holds. */
export function firstBlocker(rules: readonly (readonly [boolean, string])[]): string | null {
  return rules.find(([blocks]) => blocks)?.[1] ?? null;
}

/** Why the chosen model cannot be used; `loaded` false means the list has not arrived yet. */
export function modelBlocker(model: ModelState, loaded: boolean, rule: ModelRule): string | null {
  if (model === undefined) return loaded ? rule.missing : LOADING;
  if (!model.usable) return model.problem ?? rule.unusable;
  return null;
}

export function generateBlocker(input: {
  model: ModelState;
  loaded: boolean;
  prompt: string;
}): string | null {
  return (
    modelBlocker(input.model, input.loaded, {
      missing: 'No installed model can generate images: import one on the Models screen.',
      unusable: 'This model cannot run in this version.',
    }) ??
    firstBlocker([
      [input.prompt.trim() === '', 'Write a prompt to generate.'],
      [
        input.prompt.length > PROMPT_MAX,
        `The prompt is over ${PROMPT_MAX} characters: shorten it.`,
      ],
    ])
  );
}

export function infillBlocker(input: {
  model: (ModelState & Pick<ModelView, 'capabilities'>) | undefined;
  prompt: string;
  /** the mask history holds at least one stroke */
  painted: boolean;
}): string | null {
  const { model } = input;
  // Infill opens from an item, after the model list has arrived: a missing model is missing.
  return (
    modelBlocker(model, true, {
      missing: 'No installed model can infill: import one with the infill capability.',
      unusable: 'This model cannot run.',
    }) ??
    firstBlocker([
      [
        input.prompt.trim() === '' && !model?.capabilities.prefixCompletion,
        'Write a prompt for the masked region.',
      ],
      [!input.painted, 'Paint the region to regenerate.'],
    ])
  );
}

export function captionBlocker(input: {
  model: ModelState;
  loaded: boolean;
  folder: string;
}): string | null {
  return (
    modelBlocker(input.model, input.loaded, {
      missing: 'No installed model can caption: import a checkpoint with the caption capability.',
      unusable: 'This model cannot run.',
    }) ?? firstBlocker([[input.folder.trim() === '', 'Type the path of a folder to caption.']])
  );
}
