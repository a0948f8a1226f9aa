/**
 * What an image imported from another tool carried (lib/foreign-rows.ts): the tool, prompt,
 * seed, sampler, steps and every other setting, and the workflow or parameters text itself,
 * folded away, with a copy button.
 */
import { foreignRows, foreignSources, type Foreign } from '../../lib/foreign-rows.ts';
import { toast } from '../../state/app.ts';

function Source({ label, text }: { label: string; text: string }) {
  const copy = () =>
    void navigator.clipboard.writeText(text).then(
      () => toast(`Copied the ${label.toLowerCase()}`),
      () => toast('Could not copy: the browser refused the clipboard'),
    );
  return (
    <details className="foreign-source" data-testid="foreign-source">
      <summary>
        {label} <span className="muted">({text.length.toLocaleString('en-US')} characters)</span>
      </summary>
      <button type="button" className="btn small" onClick={copy}>
        Copy
      </button>
      <pre tabIndex={0} aria-label={label}>
        {text}
      </pre>
    </details>
  );
}

export function ForeignSettings({ foreign }: { foreign: Foreign }) {
  return (
    <>
      <table className="kv" data-testid="foreign-settings">
        <tbody>
          {foreignRows(foreign).map(([k, v]) => (
            <tr key={k}>
              <th scope="row">{k}</th>
              <td>{v}</td>
            </tr>
          ))}
        </tbody>
      </table>
      {foreignSources(foreign).map((s) => (
        <Source key={s.label} label={s.label} text={s.text} />
      ))}
    </>
  );
}
