/**
 * The prompt box's feedback from a `models:promptCheck` answer: the words the model does not
 * know (read as "unknown"), the ones past its word budget (dropped), and a one-line count. Pure.
 */
import type { ResponseOf } from '../../../app/common/contract.ts';

export type PromptCheck = ResponseOf<'models:promptCheck'>;

export interface PromptFeedback {
  /** "Reads 5 of 16 words" */
  budgetLine: string;
  /** distinct unknown words the model will read, in prompt order */
  unknown: string[];
  /** the words past the budget, in prompt order */
  dropped: string[];
  over: boolean;
}

export function promptFeedback(check: PromptCheck): PromptFeedback {
  const unknown = [...new Set(check.words.filter((w) => w.kept && !w.known).map((w) => w.text))];
  const dropped = check.words.filter((w) => !w.kept).map((w) => w.text);
  const total = check.words.length;
  const budgetLine =
    total > check.budget
      ? `Reads the first ${check.budget} of ${total} words`
      : `${total} of ${check.budget} words`;
  return { budgetLine, unknown, dropped, over: dropped.length > 0 };
}
