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

  update(done: number, total: number, unit: string, rate: number): void {
    if (!this.enabled) return;
    const width = 24;
    const filled = Math.round((done / Math.max(1, total)) * width);
    const line = `${this.label} [${'#'.repeat(filled)}${'-'.repeat(width - filled)}] ${done}/${total} ${unit}s ${rate.toFixed(0)}/s`;
    if (line !== this.last) process.stderr.write(`\r${line}`);
    this.last = line;
  }

  done(): void {
    if (this.enabled && this.last !== '') process.stderr.write('\n');
    this.last = '';
  }
}
