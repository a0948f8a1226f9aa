/**
 * The public checkpoints Tessera runs: licence, download size per dtype, memory need, what each
 * does, and which of this computer's execution providers will make it fast.
 */
import { PROVIDER_LABELS } from '../../../../app/common/provider-notice.ts';
import { formatBytes } from '../../lib/format.ts';
import {
  estimatedBytes,
  estimatedMemory,
  fastProvidersHere,
  PUBLIC_CHECKPOINTS,
  type Dtype,
  type PublicCheckpoint,
} from '../../lib/public-checkpoints.ts';
import { useStore } from '../../state/store.ts';
import { modelsStore } from '../../state/models.ts';

const SHOWN: Dtype[] = ['fp32', 'fp16', 'q4', 'q4f16'];

function Speed({ c }: { c: PublicCheckpoint }) {
  const providers = useStore(modelsStore, (s) => s.providers);
  if (providers === null) return <span className="muted">Asking onnxruntime…</span>;
  const { fast, cpuOnly } = fastProvidersHere(
    c,
    providers.map((p) => p.name),
  );
  const wanted = c.fastOn.map((p) => PROVIDER_LABELS[p]).join(', ');
  return cpuOnly ? (
    <span>Only the CPU here: expect minutes per image. Fast on {wanted}.</span>
  ) : (
    <span>Fast here on {fast.map((p) => PROVIDER_LABELS[p]).join(', ')}.</span>
  );
}

function CheckpointRow({ c, onPull }: { c: PublicCheckpoint; onPull: (repo: string) => void }) {
  return (
    <article className="checkpoint" data-testid={`checkpoint-${c.name}`}>
      <header className="model-head">
        <div>
          <h4>{c.name}</h4>
          <div className="muted mono">{c.repo}</div>
        </div>
        {c.how === 'pull' ? (
          <button type="button" className="btn small" onClick={() => onPull(c.repo)}>
            Use this repository
          </button>
        ) : (
          <span className="badge">Convert</span>
        )}
      </header>
      <table className="kv">
        <tbody>
          <tr>
            <th scope="row">Licence</th>
            <td>{c.licence}</td>
          </tr>
          <tr>
            <th scope="row">Does</th>
            <td>{c.does.join(', ')}</td>
          </tr>
          <tr>
            <th scope="row">Download (estimate)</th>
            <td>{SHOWN.map((d) => `${d} ${formatBytes(estimatedBytes(c, d))}`).join(' · ')}</td>
          </tr>
          <tr>
            <th scope="row">Memory (estimate)</th>
            <td>{SHOWN.map((d) => `${d} ${formatBytes(estimatedMemory(c, d))}`).join(' · ')}</td>
          </tr>
          {c.hubFigures.length > 0 ? (
            <tr>
              <th scope="row">The hub lists</th>
              <td>{c.hubFigures.join('; ')}</td>
            </tr>
          ) : null}
          <tr>
            <th scope="row">Speed</th>
            <td>
              <Speed c={c} />
            </td>
          </tr>
        </tbody>
      </table>
      <p className="muted">{c.note}</p>
    </article>
  );
}

export function CheckpointList({ onPull }: { onPull: (repo: string) => void }) {
  return (
    <section className="add-model-section" aria-label="Supported public checkpoints">
      <h3 className="section-label">Supported public checkpoints</h3>
      <p className="muted">
        Estimates are computed from each model's published configuration (weights × bytes per
        weight; memory adds the key/value cache of one guided image and about 1 GB for the runtime).
      </p>
      {PUBLIC_CHECKPOINTS.map((c) => (
        <CheckpointRow key={c.name} c={c} onPull={onPull} />
      ))}
    </section>
  );
}
