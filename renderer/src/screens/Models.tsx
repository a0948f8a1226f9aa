/**
 * Models: what is installed, what each can do, how big it is, what it needs, how it measured
 * (the manifest's metrics), and whether this version can run it (STUDIO.md §2.6).
 */
import { useState } from 'react';
import type { ModelView } from '../../../app/common/contract.ts';
import { Icon } from '../components/Icon.tsx';
import { Callout, Empty } from '../components/ui.tsx';
import { flattenMetrics, formatBytes } from '../lib/format.ts';
import { loadModels, modelsStore } from '../state/models.ts';
import { useStore } from '../state/store.ts';

const CAPABILITY_LABEL: Record<string, string> = {
  generate: 'Generate',
  infill: 'Infill',
  caption: 'Caption',
  likelihood: 'Likelihood',
  embed: 'Embed',
  retrieval: 'Retrieval',
  prefixCompletion: 'Prefix completion',
};

function Capabilities({ caps }: { caps: Record<string, unknown> }) {
  return (
    <ul className="cap-list" aria-label="Capabilities">
      {Object.entries(caps).map(([k, v]) => {
        const on = v === true || (typeof v === 'string' && v !== 'none');
        return (
          <li key={k} className={`cap ${on ? 'on' : 'off'}`}>
            <Icon name={on ? 'check' : 'x'} size={12} />
            {CAPABILITY_LABEL[k] ?? k}
            {typeof v === 'string' && v !== 'none' ? <span className="muted"> ({v})</span> : null}
          </li>
        );
      })}
    </ul>
  );
}

function ModelCard({ m }: { m: ModelView }) {
  const [showAll, setShowAll] = useState(false);
  const metrics = flattenMetrics(m.metrics);
  const shown = showAll ? metrics : metrics.slice(0, 14);
  return (
    <article className="model-card" aria-labelledby={`model-${m.id}`} data-testid={`model-${m.id}`}>
      <header className="model-head">
        <div>
          <h2 id={`model-${m.id}`}>{m.name}</h2>
          <div className="muted mono">{m.id}</div>
        </div>
        {m.usable ? (
          <span className="badge tone-ok">Ready</span>
        ) : (
          <span className="badge tone-bad">Cannot run</span>
        )}
      </header>
      {m.problem !== null ? <Callout tone="error">{m.problem}</Callout> : null}
      {m.trainedOnEmojiOnly ? (
        <Callout tone="info" title="Trained on emoji only">
          It draws and captions emoji-like 32-pixel icons; it is not a photo model.
        </Callout>
      ) : null}
      <div className="model-body">
        <table className="kv">
          <tbody>
            <tr>
              <th scope="row">Family</th>
              <td>{m.family}</td>
            </tr>
            <tr>
              <th scope="row">Source</th>
              <td>{m.source === 'embedded' ? 'Shipped with Tessera' : 'Imported'}</td>
            </tr>
            <tr>
              <th scope="row">Image size</th>
              <td>
                {m.image.width}×{m.image.height} px
              </td>
            </tr>
            <tr>
              <th scope="row">On disk</th>
              <td>{formatBytes(m.diskBytes)}</td>
            </tr>
            <tr>
              <th scope="row">RAM needed</th>
              <td>about {formatBytes(m.recommendedRamBytes)}</td>
            </tr>
            <tr>
              <th scope="row">Styles</th>
              <td>
                {m.styles.length === 0 ? <span className="muted">none</span> : m.styles.join(', ')}
              </td>
            </tr>
            <tr>
              <th scope="row">Sampling defaults</th>
              <td>
                CFG {m.sampling.defaults.cfgScale} · temperature {m.sampling.defaults.temperature} ·
                top-k {m.sampling.defaults.topK} · top-p {m.sampling.defaults.topP}
              </td>
            </tr>
          </tbody>
        </table>
        <div>
          <h3 className="section-label">Capabilities</h3>
          <Capabilities caps={m.capabilities} />
        </div>
      </div>
      <div>
        <h3 className="section-label">Measured</h3>
        {metrics.length === 0 ? (
          <div className="muted">The manifest carries no metrics.</div>
        ) : (
          <>
            <table className="data metrics" data-testid="metrics-table">
              <thead>
                <tr>
                  <th scope="col">Metric</th>
                  <th scope="col" className="num">
                    Value
                  </th>
                </tr>
              </thead>
              <tbody>
                {shown.map((r) => (
                  <tr key={r.key}>
                    <td className="mono">{r.key}</td>
                    <td className="num">{r.value}</td>
                  </tr>
                ))}
              </tbody>
            </table>
            {metrics.length > shown.length || showAll ? (
              <button type="button" className="btn link small" onClick={() => setShowAll(!showAll)}>
                {showAll ? 'Show fewer' : `Show all ${metrics.length} metrics`}
              </button>
            ) : null}
          </>
        )}
      </div>
    </article>
  );
}

export function ModelsScreen() {
  const { models, loaded, loading } = useStore(modelsStore, (s) => s);
  return (
    <div className="screen">
      <div className="scroll-page">
        <div className="page-head">
          <h1 className="screen-title">Models</h1>
          <span className="muted">{models.length} installed</span>
          <span className="grow" />
          <button
            type="button"
            className="btn"
            onClick={() => void loadModels()}
            disabled={loading}
          >
            <Icon name="refresh" size={14} /> {loading ? 'Reading…' : 'Rescan'}
          </button>
        </div>
        <p className="muted intro page-intro">
          Models run on this computer only. Import a model folder (a manifest.json with its ONNX
          graphs) into the data folder's models/ directory and press Rescan.
        </p>
        {loaded && models.length === 0 ? (
          <Empty title="No models installed">
            Tessera ships with one; reinstall it if the list is empty.
          </Empty>
        ) : null}
        <div className="model-list">
          {models.map((m) => (
            <ModelCard key={m.id} m={m} />
          ))}
        </div>
      </div>
    </div>
  );
}
