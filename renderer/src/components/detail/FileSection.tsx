/** The item's file: kind and origin, size, when it was added, hash, paths, photo metadata. */
import type { ItemDetailView } from '../../../../app/common/contract.ts';
import { formatBytes, formatDate } from '../../lib/format.ts';
import { Section } from './Section.tsx';

function PhotoMetadata({ exif }: { exif: Record<string, unknown> }) {
  const entries = Object.entries(exif);
  return (
    <details className="exif">
      <summary>Photo metadata ({entries.length})</summary>
      <table className="kv">
        <tbody>
          {entries.map(([k, v]) => (
            <tr key={k}>
              <th scope="row">{k}</th>
              <td>{typeof v === 'object' ? JSON.stringify(v) : String(v)}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </details>
  );
}

export function FileSection({ item }: { item: ItemDetailView }) {
  return (
    <Section title="File">
      <table className="kv">
        <tbody>
          <tr>
            <th scope="row">Kind</th>
            <td>
              {item.kind} · {item.origin}
            </td>
          </tr>
          <tr>
            <th scope="row">Size</th>
            <td>
              {item.width}×{item.height} · {formatBytes(item.bytes)} · {item.mime}
            </td>
          </tr>
          <tr>
            <th scope="row">Added</th>
            <td>{formatDate(item.createdAt)}</td>
          </tr>
          <tr>
            <th scope="row">SHA-256</th>
            <td>
              <code title={item.sha256}>{item.sha256.slice(0, 16)}…</code>
            </td>
          </tr>
          {item.files.map((f) => (
            <tr key={f}>
              <th scope="row">Path</th>
              <td className="mono">{f}</td>
            </tr>
          ))}
        </tbody>
      </table>
      {item.exif !== null && Object.keys(item.exif).length > 0 ? (
        <PhotoMetadata exif={item.exif} />
      ) : null}
    </Section>
  );
}
