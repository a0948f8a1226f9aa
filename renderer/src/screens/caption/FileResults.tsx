/** A captioning job's per-file results: counts by status as filters, and the (virtual) list. */
import { useMemo } from 'react';
import type { JobView } from '../../../../app/common/contract.ts';
import { AssetImage } from '../../components/ui.tsx';
import { VirtualList } from '../../components/VirtualList.tsx';
import {
  emptyFilesMessage,
  FILE_STATUSES,
  filterFiles,
  folderOf,
  type FileStatus,
} from '../../lib/caption-view.ts';
import { baseName } from '../../lib/format.ts';
import type { FileEntry, LiveJob } from '../../state/jobs.ts';

/** The photo's thumbnail (served by hash, wherever the photo lies), or an empty frame. */
function FileThumb({ f }: { f: FileEntry }) {
  return (
    <span className="file-thumb" data-testid="file-thumb">
      {f.sha256 !== null ? (
        <AssetImage sha256={f.sha256} alt={`Photo ${baseName(f.path)}`} thumb small={false} />
      ) : null}
    </span>
  );
}

function FileRow({ f }: { f: FileEntry }) {
  const s = FILE_STATUSES.find((x) => x.key === f.status)!;
  const detail = f.caption ?? f.message ?? '';
  return (
    <div
      className={`file-row status-${f.status}`}
      title={`${f.path}${detail ? `\n${detail}` : ''}`}
    >
      <FileThumb f={f} />
      <span className={`badge ${s.tone}`}>{s.label}</span>
      <div className="file-text">
        <div className="ellipsis">
          <strong>{baseName(f.path)}</strong>
          <span className="muted"> {folderOf(f.path)}</span>
        </div>
        <div className={`ellipsis ${f.caption !== null ? 'file-caption' : 'muted'}`}>
          {f.caption !== null ? `“${f.caption}”` : (f.message ?? '')}
          {f.caption !== null && f.message !== null ? (
            <span className="muted"> · {f.message}</span>
          ) : null}
        </div>
      </div>
    </div>
  );
}

function FileFilters({
  filter,
  total,
  live,
  onFilter,
}: {
  filter: FileStatus | 'all';
  total: number;
  live: LiveJob | undefined;
  onFilter: (f: FileStatus | 'all') => void;
}) {
  return (
    <div className="file-filters" role="group" aria-label="Show files by result">
      <button
        type="button"
        className={`btn small ${filter === 'all' ? 'active' : ''}`}
        aria-pressed={filter === 'all'}
        onClick={() => onFilter('all')}
      >
        All {total}
      </button>
      {FILE_STATUSES.map((s) => (
        <button
          key={s.key}
          type="button"
          className={`btn small ${filter === s.key ? 'active' : ''}`}
          aria-pressed={filter === s.key}
          onClick={() => onFilter(s.key)}
          disabled={(live?.counts[s.key] ?? 0) === 0}
        >
          {s.label} {live?.counts[s.key] ?? 0}
        </button>
      ))}
    </div>
  );
}

export function FileResults({
  job,
  live,
  filter,
  onFilter,
}: {
  job: JobView;
  live: LiveJob | undefined;
  filter: FileStatus | 'all';
  onFilter: (f: FileStatus | 'all') => void;
}) {
  const files = live?.files ?? [];
  // Re-read only when a file arrives (the array is appended in place).
  const filesVersion = live?.filesVersion ?? 0;
  const shown = useMemo(() => filterFiles(files, filter), [files, filter, filesVersion]);
  return (
    <>
      <FileFilters filter={filter} total={files.length} live={live} onFilter={onFilter} />
      <div className="file-list-host">
        {files.length === 0 ? (
          <div className="muted pad">{emptyFilesMessage(live?.history ?? 'none', job.status)}</div>
        ) : null}
        <VirtualList
          items={shown}
          rowHeight={46}
          label="Files and their captioning results"
          testId="caption-file-list"
          followTail={filter === 'all'}
          renderRow={(f) => <FileRow f={f} />}
        />
      </div>
    </>
  );
}
