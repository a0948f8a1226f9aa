/**
 * The detail panel's exact likelihood: the image's bits per dimension under the model that
 * measured it, with what the number means; an item never measured can be measured with an
 * installed model whose likelihood is exact (`gallery:likelihood`).
 */
import { useState } from 'react';
import type { ItemDetailView } from '../../../../app/common/contract.ts';
import { invoke } from '../../bridge/index.ts';
import { LIKELIHOOD_EXPLANATION, likelihoodModels, likelihoodRow } from '../../lib/likelihood.ts';
import { reportError } from '../../state/app.ts';
import { modelsStore } from '../../state/models.ts';
import { useStore } from '../../state/store.ts';
import { Section } from './Section.tsx';

export function Likelihood({ item, reload }: { item: ItemDetailView; reload: () => void }) {
  const models = useStore(modelsStore, (s) => s.models);
  const [busy, setBusy] = useState(false);
  const row = likelihoodRow(item, models);
  const measurer = likelihoodModels(models)[0];
  if (row === null && measurer === undefined) return null;

  const measure = async () => {
    if (measurer === undefined) return;
    setBusy(true);
    try {
      const out = await invoke('gallery:likelihood', { ids: [item.id], modelId: measurer.id });
      if (out.failed.length > 0) throw new Error(out.failed[0]!.message);
      reload();
    } catch (err) {
      reportError(`Could not measure #${item.id}`, err);
    } finally {
      setBusy(false);
    }
  };

  return (
    <Section title="Bits per dimension">
      {row !== null ? (
        <div data-testid="detail-bpd">
          <div>
            <strong data-testid="detail-bpd-value">{row.value}</strong>{' '}
            <span className="muted">under {row.model}</span>
          </div>
          <div className="muted">{row.explanation}</div>
        </div>
      ) : (
        <div>
          <div className="muted">{LIKELIHOOD_EXPLANATION}</div>
          <button
            type="button"
            className="btn small"
            disabled={busy}
            onClick={() => void measure()}
            data-testid="detail-bpd-measure"
          >
            {busy ? 'Measuring…' : `Measure with ${measurer!.name}`}
          </button>
        </div>
      )}
    </Section>
  );
}
