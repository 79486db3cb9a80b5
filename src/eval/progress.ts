/**
 * A progress bar with ETA on stderr; plain periodic lines when stderr is not a TTY
 * (CI logs), so nothing floods a file.
 */
export class Progress {
  private done = 0;
  private lastPlain = 0;
  private readonly start = Date.now();

  constructor(
    private readonly total: number,
    private readonly label: string,
    private readonly out: NodeJS.WriteStream = process.stderr,
    private readonly enabled = true,
  ) {}

  /** A line of its own: on a TTY the bar line is cleared first and drawn again below it. */
  note(line: string): void {
    const midBar = this.enabled && this.out.isTTY && this.done > 0 && this.done < this.total;
    if (!midBar) {
      this.out.write(`${line}\n`);
      return;
    }
    this.out.write(`\r\x1b[K${line}\n`);
    this.draw();
  }

  tick(n = 1): void {
    this.done += n;
    this.draw();
  }

  private draw(): void {
    if (!this.enabled) return;
    const elapsed = (Date.now() - this.start) / 1000;
    const eta = this.done > 0 ? (elapsed / this.done) * (this.total - this.done) : 0;
    const pct = this.total > 0 ? this.done / this.total : 1;
    if (this.out.isTTY) {
      const width = 28;
      const bar = '#'.repeat(Math.round(pct * width)).padEnd(width, '-');
      this.out.write(
        `\r${this.label} [${bar}] ${this.done}/${this.total}  ${fmt(elapsed)} elapsed, ETA ${fmt(eta)} `,
      );
      if (this.done >= this.total) this.out.write('\n');
    } else if (this.done >= this.total || Date.now() - this.lastPlain > 5000) {
      this.lastPlain = Date.now();
      this.out.write(
        `${this.label}: ${this.done}/${this.total} (${Math.round(pct * 100)}%), ETA ${fmt(eta)}\n`,
      );
    }
  }
}

function fmt(s: number): string {
  if (s < 60) return `${s.toFixed(0)}s`;
  return `${Math.floor(s / 60)}m${Math.round(s % 60)
    .toString()
    .padStart(2, '0')}s`;
}
