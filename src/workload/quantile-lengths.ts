import type { GoRand } from '../sim/rng.ts';

/** A measured length summary: `measured_token_stats.prompt_len` / `.output_len`. */
export interface LengthStats {
  mean: number;
  min: number;
  p10: number;
  median: number;
  p90: number;
  max: number;
}

/** Probabilities of the summary's quantiles: min, p10, median, p90, max. */
const PROBS = [0, 0.1, 0.5, 0.9, 1] as const;

/**
 * A length distribution matching a measured summary: a piecewise-linear inverse CDF through
 * every given quantile (min, p10, median, p90, max), with one more knot halfway (in
 * probability) between each two, moved by the same fraction δ of its half-segment so that
 * the mean is the measured one. A segment [a, b] of probability w then has mean
 * w·((a + b)/2 + δ·(b − a)/4), so δ has a closed form; it stays in [−1, 1] (every knot within
 * its segment, the CDF monotone), and a mean these quantiles cannot reach is met as nearly
 * as they allow (the replay check then shows the difference).
 */
export class QuantileLengths {
  private readonly p: number[] = [];
  private readonly x: number[] = [];
  readonly lo: number;
  readonly hi: number;

  constructor(s: LengthStats) {
    const q = [s.min, s.p10, s.median, s.p90, s.max];
    let linear = 0;
    let reach = 0;
    for (let i = 1; i < PROBS.length; i++) {
      const w = PROBS[i]! - PROBS[i - 1]!;
      linear += (w * (q[i - 1]! + q[i]!)) / 2;
      reach += (w * (q[i]! - q[i - 1]!)) / 4;
    }
    const delta = reach > 0 ? Math.min(1, Math.max(-1, (s.mean - linear) / reach)) : 0;
    for (let i = 0; i < PROBS.length; i++) {
      if (i > 0) {
        const a = q[i - 1]!;
        const b = q[i]!;
        this.p.push((PROBS[i - 1]! + PROBS[i]!) / 2);
        this.x.push((a + b) / 2 + (delta * (b - a)) / 2);
      }
      this.p.push(PROBS[i]!);
      this.x.push(q[i]!);
    }
    this.lo = Math.ceil(s.min);
    this.hi = Math.max(this.lo, Math.floor(s.max));
  }

  /** The continuous length at cumulative probability u ∈ [0, 1]. */
  quantile(u: number): number {
    let i = 1;
    while (i < this.p.length - 1 && u > this.p[i]!) i++;
    const p0 = this.p[i - 1]!;
    const x0 = this.x[i - 1]!;
    return x0 + ((this.x[i]! - x0) * (u - p0)) / (this.p[i]! - p0);
  }

  /**
   * One whole length: the quantile of a uniform draw, rounded up with probability equal to
   * its fraction (so rounding keeps the mean), within [min, max].
   */
  draw(rng: GoRand): number {
    const x = this.quantile(rng.float64());
    const n = Math.floor(x + rng.float64());
    return Math.min(this.hi, Math.max(this.lo, n));
  }
}
