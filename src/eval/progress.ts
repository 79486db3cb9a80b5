/**
 * One status line on stderr: redrawn in place on a TTY (at most every 100 ms, so a run of
 * thousands of jobs does not flood the terminal); plain lines at most every 5 s when stderr
 * is not a TTY (CI logs), so nothing floods a file.
 */
export class StatusLine {
  private lastDraw = Number.NEGATIVE_INFINITY;
  private lastPlain = Number.NEGATIVE_INFINITY;
  private open = false;
  /** A log has not had the latest text yet. */
  private pending = false;
  private text: (tty: boolean) => string = () => '';

  constructor(
    private readonly out: NodeJS.WriteStream = process.stderr,
    private readonly enabled = true,
    private readonly now: () => number = Date.now,
  ) {}

  /** Shows the line `text(tty)` builds; `final` draws it whatever the time and ends it. */
  show(text: (tty: boolean) => string, final = false): void {
    this.text = text;
    if (!this.enabled) return;
    const t = this.now();
    if (this.out.isTTY) {
      if (!final && t - this.lastDraw < 100) return;
      this.lastDraw = t;
      this.out.write(`\r\x1b[K${text(true)}${final ? '\n' : ''}`);
      this.open = !final;
    } else if (final || t - this.lastPlain >= 5000) {
      this.lastPlain = t;
      this.out.write(`${text(false)}\n`);
      this.pending = false;
    } else {
      this.pending = true;
    }
  }

  /** Ends the status line: drawn once more as it stands (a log gets it if it has not yet). */
  end(): void {
    if (this.enabled && this.out.isTTY && this.open) this.out.write(`\r\x1b[K${this.text(true)}\n`);
    if (this.enabled && !this.out.isTTY && this.pending) this.out.write(`${this.text(false)}\n`);
    this.open = false;
    this.pending = false;
  }

  /** A line of its own: on a TTY an open status line is cleared first and drawn again below it. */
  note(line: string): void {
    if (!(this.enabled && this.out.isTTY && this.open)) {
      this.out.write(`${line}\n`);
      return;
    }
    this.out.write(`\r\x1b[K${line}\n${this.text(true)}`);
  }
}

/** A progress bar with ETA over a known number of jobs (see StatusLine for where it goes). */
export class Progress {
  private done = 0;
  private readonly start = Date.now();
  private readonly line: StatusLine;

  constructor(
    private readonly total: number,
    private readonly label: string,
    out: NodeJS.WriteStream = process.stderr,
    enabled = true,
  ) {
    this.line = new StatusLine(out, enabled);
  }

  note(line: string): void {
    this.line.note(line);
  }

  tick(n = 1): void {
    this.done += n;
    const elapsed = (Date.now() - this.start) / 1000;
    const eta = this.done > 0 ? (elapsed / this.done) * (this.total - this.done) : 0;
    const pct = this.total > 0 ? this.done / this.total : 1;
    this.line.show((tty) => {
      if (!tty)
        return `${this.label}: ${this.done}/${this.total} (${Math.round(pct * 100)}%), ETA ${formatDuration(eta)}`;
      const bar = '#'.repeat(Math.round(pct * 28)).padEnd(28, '-');
      return `${this.label} [${bar}] ${this.done}/${this.total}  ${formatDuration(elapsed)} elapsed, ETA ${formatDuration(eta)}`;
    }, this.done >= this.total);
  }
}

/** `42s`, `1m05s`, `2h03m`. */
export function formatDuration(seconds: number): string {
  const s = Math.max(0, Math.round(seconds));
  if (s < 60) return `${s}s`;
  if (s < 3600) return `${Math.floor(s / 60)}m${String(s % 60).padStart(2, '0')}s`;
  return `${Math.floor(s / 3600)}h${String(Math.floor((s % 3600) / 60)).padStart(2, '0')}m`;
}
