/**
 * Under the prompt box: the prompt as the model reads it, unknown words underlined and words past
 * its budget struck out, with the word count and what will be dropped. Asked of the model's own
 * tokenizer a moment after typing stops.
 */
import { useEffect, useState } from 'react';
import { invoke } from '../../bridge/index.ts';
import { promptFeedback, type PromptCheck } from '../../lib/prompt-feedback.ts';

const PAUSE_MS = 250;

function usePromptCheck(modelId: string | undefined, prompt: string, style: string | null) {
  const [check, setCheck] = useState<PromptCheck | null>(null);
  useEffect(() => {
    if (modelId === undefined || prompt.trim() === '') {
      setCheck(null);
      return;
    }
    let live = true;
    const timer = setTimeout(() => {
      invoke('models:promptCheck', { modelId, prompt, style })
        .then((c) => live && setCheck(c))
        // A model without a word tokenizer (or a prompt over the limit, said elsewhere): no check.
        .catch(() => live && setCheck(null));
    }, PAUSE_MS);
    return () => {
      live = false;
      clearTimeout(timer);
    };
  }, [modelId, prompt, style]);
  return check;
}

export function PromptCheckLine({
  modelId,
  prompt,
  style,
}: {
  modelId: string | undefined;
  prompt: string;
  style: string | null;
}) {
  const check = usePromptCheck(modelId, prompt, style);
  if (check === null || check.words.length === 0) return null;
  const f = promptFeedback(check);
  return (
    <div className="prompt-check" data-testid="prompt-check" aria-live="polite">
      <div className="prompt-words" aria-label="The prompt as the model reads it">
        {check.words.map((w, i) => (
          <span
            key={i}
            className={`pw${w.known ? '' : ' unknown'}${w.kept ? '' : ' dropped'}`}
            title={
              !w.kept
                ? 'Past the word budget: not read'
                : w.known
                  ? undefined
                  : 'Not a word this model knows: read as "unknown"'
            }
          >
            {w.text}
          </span>
        ))}
      </div>
      <div className={`hint${f.over ? ' bad' : ''}`} data-testid="prompt-budget">
        {f.budgetLine}
      </div>
      {f.unknown.length > 0 ? (
        <div className="hint warn" data-testid="prompt-unknown">
          Not known to this model, read as “unknown”: {f.unknown.join(', ')}
        </div>
      ) : null}
      {f.dropped.length > 0 ? (
        <div className="hint bad" data-testid="prompt-dropped">
          Dropped, past its {check.budget}-word budget: {f.dropped.join(' ')}
        </div>
      ) : null}
    </div>
  );
}
