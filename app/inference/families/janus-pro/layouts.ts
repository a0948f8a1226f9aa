/**
 * The prompt layouts a `janus-pro` manifest carries (written by native-models'
 * tessera_models/janus/manifest.py): Janus's chat templates around the prompt or question, the
 * image-feature slot of a caption prompt, and the understanding path's image input.
 */
import { z } from 'zod';

const text = z.object({ text: z.string() });

export const janusLayoutsSchema = z.object({
  generate: z.tuple([
    z.literal('bos'),
    text,
    z.literal('boi'),
    z.object({ codes: z.number().int().positive() }),
  ]),
  caption: z.tuple([
    z.literal('bos'),
    text,
    z.literal('boi'),
    z.object({
      imageFeatures: z.number().int().positive(),
      placeholder: z.number().int().nonnegative(),
    }),
    z.literal('eoi'),
    text,
  ]),
  captionQuestion: z.tuple([z.string().min(1)]),
  imageInput: z.tuple([
    z.object({ size: z.number().int().positive(), mean: z.number(), std: z.number().positive() }),
  ]),
});

export interface JanusLayouts {
  /** The generation prompt around `{prompt}`, between <bos> and <begin_of_image>. */
  generateTemplate: string;
  codes: number;
  captionBefore: string;
  /** The text after <end_of_image>, around `{question}`. */
  captionAfter: string;
  imageTokens: number;
  placeholder: number;
  question: string;
  imageInput: { size: number; mean: number; std: number };
}

/** The layouts, or the first problem found (the caller names the folder and what to do). */
export function parseJanusLayouts(
  layouts: unknown,
): { ok: true; value: JanusLayouts } | { ok: false; problem: string } {
  const parsed = janusLayoutsSchema.safeParse(layouts);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    return { ok: false, problem: `layouts.${issue.path.join('.')}: ${issue.message}` };
  }
  const { generate, caption, captionQuestion, imageInput } = parsed.data;
  return {
    ok: true,
    value: {
      generateTemplate: generate[1].text,
      codes: generate[3].codes,
      captionBefore: caption[1].text,
      captionAfter: caption[5].text,
      imageTokens: caption[3].imageFeatures,
      placeholder: caption[3].placeholder,
      question: captionQuestion[0],
      imageInput: imageInput[0],
    },
  };
}
