/** Human-readable numbers for the UI. Pure. */

export function formatBytes(bytes: number): string {
  if (!Number.isFinite(bytes) || bytes < 0) return '—';
  const units = ['B', 'KB', 'MB', 'GB', 'TB'];
  let v = bytes;
  let u = 0;
  while (v >= 1024 && u < units.length - 1) {
    v /= 1024;
    u++;
  }
  return `${u === 0 ? v : v < 10 ? v.toFixed(1) : Math.round(v)} ${units[u]}`;
}

/** "ETA 1:05", "ETA 12 s", "ETA 1 h 02 min"; null or infinite → "" (unknown). */
export function formatEta(seconds: number | null | undefined): string {
  if (seconds === null || seconds === undefined || !Number.isFinite(seconds) || seconds < 0)
    return '';
  const s = Math.round(seconds);
  if (s < 60) return `${s} s`;
  if (s < 3600) return `${Math.floor(s / 60)}:${String(s % 60).padStart(2, '0')}`;
  const h = Math.floor(s / 3600);
  return `${h} h ${String(Math.floor((s % 3600) / 60)).padStart(2, '0')} min`;
}

/** A progress unit as people read it: "MCU" is an acronym, the rest are words. */
export function unitLabel(unit: string, count: number): string {
  const word = unit === 'mcu' ? 'MCU' : unit;
  return count === 1 ? word : `${word}s`;
}

export function formatRate(perSecond: number, unit: string): string {
  if (!Number.isFinite(perSecond) || perSecond <= 0) return '';
  const v = perSecond >= 100 ? Math.round(perSecond) : Number(perSecond.toPrecision(3));
  return `${v} ${unitLabel(unit, v)}/s`;
}

export function formatNumber(n: number): string {
  if (!Number.isFinite(n)) return String(n);
  if (Number.isInteger(n)) return n.toLocaleString('en-US');
  const abs = Math.abs(n);
  if (abs !== 0 && (abs < 0.001 || abs >= 1e6)) return n.toExponential(3);
  return String(Number(n.toPrecision(4)));
}

export function formatDate(ms: number): string {
  const d = new Date(ms);
  if (Number.isNaN(d.getTime())) return '—';
  const pad = (x: number) => String(x).padStart(2, '0');
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())} ${pad(d.getHours())}:${pad(d.getMinutes())}`;
}

/** Percentage in [0, 100] of done/total, or null when the total is not known yet. */
export function percent(done: number, total: number): number | null {
  if (!(total > 0)) return null;
  return Math.max(0, Math.min(100, (done / total) * 100));
}

/**
 * A nested metrics record as flat `a.b.c` → value rows, for a table. Arrays of scalars are
 * joined; deeper structure than `maxDepth` is shown as JSON.
 */
export function flattenMetrics(
  value: unknown,
  maxDepth = 4,
  prefix = '',
): { key: string; value: string }[] {
  const rows: { key: string; value: string }[] = [];
  const visit = (v: unknown, key: string, depth: number) => {
    if (v === null || v === undefined) rows.push({ key, value: '—' });
    else if (typeof v === 'number') rows.push({ key, value: formatNumber(v) });
    else if (typeof v === 'string' || typeof v === 'boolean') rows.push({ key, value: String(v) });
    else if (Array.isArray(v)) {
      const scalar = v.every((x) => typeof x !== 'object' || x === null);
      rows.push({
        key,
        value: scalar
          ? v.map((x) => (typeof x === 'number' ? formatNumber(x) : String(x))).join(', ')
          : JSON.stringify(v),
      });
    } else if (typeof v === 'object') {
      if (depth >= maxDepth) {
        rows.push({ key, value: JSON.stringify(v) });
        return;
      }
      for (const [k, x] of Object.entries(v as Record<string, unknown>))
        visit(x, key === '' ? k : `${key}.${k}`, depth + 1);
    }
  };
  visit(value, prefix, 0);
  return rows;
}

/** The last path segment, for long file lists. */
export function baseName(path: string): string {
  const parts = path.split(/[\\/]/);
  return parts[parts.length - 1] || path;
}
