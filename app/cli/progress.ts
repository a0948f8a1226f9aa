/** A progress bar on stderr when it is a terminal; silent otherwise (pipes, --json). */
export class ProgressBar {
  private readonly enabled: boolean;
  private last = '';

  constructor(
    private readonly label: string,
    quiet: boolean,
  ) {
    this.enabled = !quiet && process.stderr.isTTY === true;
  }

  update(
    done: number,
    total: number,
    unit: string,
    rate: number,
    etaSeconds: number | null = null,
  ): void {
    if (!this.enabled) return;
    const width = 24;
    const filled = Math.round((done / Math.max(1, total)) * width);
    const eta = etaSeconds === null || done >= total ? '' : `  ETA ${formatDuration(etaSeconds)}`;
    const line = `${this.label} [${'#'.repeat(filled)}${'-'.repeat(width - filled)}] ${done}/${total} ${unit}s ${rate.toFixed(rate < 10 ? 1 : 0)}/s${eta}`;
    if (line !== this.last) process.stderr.write(`\r${line}\x1b[K`);
    this.last = line;
  }

  done(): void {
    if (this.enabled && this.last !== '') process.stderr.write('\n');
    this.last = '';
  }
}

function formatDuration(seconds: number): string {
  const s = Math.max(0, Math.round(seconds));
  if (s < 60) return `${s}s`;
  if (s < 3600) return `${Math.floor(s / 60)}m${String(s % 60).padStart(2, '0')}s`;
  return `${Math.floor(s / 3600)}h${String(Math.floor((s % 3600) / 60)).padStart(2, '0')}m`;
}
