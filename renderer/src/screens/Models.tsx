/**
 * Models: what is installed, what each can do, how big it is, what it needs, how it measured
 * (the manifest's metrics), and whether this version can run it (docs/studio.md §Models screen);
 * the execution provider each model's new jobs ask for; and importing a model folder.
 */
import { useEffect, useId, useState } from 'react';
import type { ModelView } from '../../../app/common/contract.ts';
import { PROVIDERS, type Provider } from '../../../app/common/inference-contract.ts';
import { PROVIDER_LABELS, providerNotice } from '../../../app/common/provider-notice.ts';
import { Icon } from '../components/Icon.tsx';
import { Callout, Empty, Field } from '../components/ui.tsx';
import { formatBytes } from '../lib/format.ts';
import { experimentalReason } from '../lib/model-metrics.ts';
import { reportError } from '../state/app.ts';
import { chooseProvider, loadModels, loadProviders, modelsStore } from '../state/models.ts';
import { useStore } from '../state/store.ts';
import { AddModelDialog } from './models/AddModelDialog.tsx';
import { ImportFolder } from './models/ImportFolder.tsx';
import { MeasuredMetrics } from './models/MeasuredMetrics.tsx';

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

/** The provider this model's new jobs ask for, among those onnxruntime lists here. */
function ProviderField({ m }: { m: ModelView }) {
  const providers = useStore(modelsStore, (s) => s.providers);
  const id = useId();
  const [answer, setAnswer] = useState<string | null>(null);
  const notice = answer ?? (providers === null ? null : providerNotice(m.provider, providers));
  const choose = async (provider: Provider) => {
    try {
      setAnswer(await chooseProvider(m.id, provider));
    } catch (err) {
      reportError(`Could not set the provider of ${m.name}`, err);
    }
  };
  return (
    <div className="provider-field">
      <Field
        label="Runs on"
        id={id}
        hint={
          providers === null
            ? 'Asking onnxruntime what this computer offers…'
            : 'For new jobs of this model; the choice is kept'
        }
      >
        <select
          id={id}
          value={m.provider}
          disabled={providers === null || !m.usable}
          onChange={(e) => void choose(e.target.value as Provider)}
          data-testid={`provider-${m.id}`}
        >
          {PROVIDERS.map((p) => {
            const info = providers?.find((x) => x.name === p);
            return (
              <option key={p} value={p} disabled={info === undefined && p !== m.provider}>
                {PROVIDER_LABELS[p]}
                {info === undefined
                  ? ' (not in this build)'
                  : info.bundled
                    ? ''
                    : ' (needs its libraries installed)'}
              </option>
            );
          })}
        </select>
      </Field>
      {notice !== null ? (
        <div data-testid={`provider-notice-${m.id}`}>
          <Callout tone="warn">{notice}</Callout>
        </div>
      ) : null}
    </div>
  );
}

function ModelCard({ m }: { m: ModelView }) {
  const experimental = experimentalReason(m);
  return (
    <article className="model-card" aria-labelledby={`model-${m.id}`} data-testid={`model-${m.id}`}>
      <header className="model-head">
        <div>
          <h2 id={`model-${m.id}`}>{m.name}</h2>
          <div className="muted mono">{m.id}</div>
        </div>
        <div className="model-badges">
          {experimental !== null ? (
            <span className="badge tone-warn" data-testid={`experimental-${m.id}`}>
              Experimental
            </span>
          ) : null}
          {m.usable ? (
            <span className="badge tone-ok">Ready</span>
          ) : (
            <span className="badge tone-bad">Cannot run</span>
          )}
        </div>
      </header>
      {m.problem !== null ? <Callout tone="error">{m.problem}</Callout> : null}
      {experimental !== null ? <Callout tone="warn">{experimental}</Callout> : null}
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
              <th scope="row">Resolution</th>
              <td>
                Draws {m.image.width}×{m.image.height} px images
                <span className="muted">
                  {' '}
                  (the size it was trained at; pictures it captions are scaled to it)
                </span>
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
                {m.sampling.defaults.bestOf > 1 ? ` · best of ${m.sampling.defaults.bestOf}` : ''}
              </td>
            </tr>
          </tbody>
        </table>
        <div>
          <h3 className="section-label">Capabilities</h3>
          <Capabilities caps={m.capabilities} />
          <ProviderField m={m} />
        </div>
      </div>
      <div>
        <h3 className="section-label">Measured</h3>
        <MeasuredMetrics metrics={m.metrics} />
      </div>
    </article>
  );
}

export function ModelsScreen() {
  const { models, loaded, loading } = useStore(modelsStore, (s) => s);
  const [adding, setAdding] = useState(false);
  useEffect(() => {
    void loadProviders();
  }, []);
  return (
    <div className="screen">
      <div className="scroll-page">
        <div className="page-head">
          <h1 className="screen-title">Models</h1>
          <span className="muted">{models.length} installed</span>
          <span className="grow" />
          <button
            type="button"
            className="btn primary"
            onClick={() => setAdding(true)}
            data-testid="add-model-open"
          >
            <Icon name="plus" size={14} /> Add a model
          </button>
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
          Models run on this computer only. Add a model pulls one from the hub or imports a model
          folder (a manifest.json with its ONNX graphs): every file is checked against its manifest,
          then copied into the data folder's models/ directory. A folder copied there by hand shows
          up after Rescan.
        </p>
        <ImportFolder />
        <AddModelDialog open={adding} onClose={() => setAdding(false)} />
        {loaded && models.length === 0 ? (
          <Empty title="No models installed">
            Tessera ships with one; reinstall it if the list is empty.
          </Empty>
        ) : null}
        <div className="model-list">
          {models.map((m) => (
            <ModelCard key={`${m.id} ${m.decoderSha256 ?? ''} ${m.source}`} m={m} />
          ))}
        </div>
      </div>
    </div>
  );
}
