/**
 * BLIS's summary statistics over sorted samples (reference §8.3): sequential mean and
 * numpy-"linear" percentiles, both reported in ms (samples are µs).
 */

/** Mean in ms of ascending-sorted µs samples; 0 for none. */
export function meanMs(sorted: ArrayLike<number>): number {
  const n = sorted.length;
  if (n === 0) return 0;
  let sum = 0;
  for (let i = 0; i < n; i++) sum += sorted[i]!;
  return sum / n / 1000;
}

/** Percentile p (0–100) in ms of ascending-sorted µs samples; 0 for none. */
export function percentileMs(sorted: ArrayLike<number>, p: number): number {
  const n = sorted.length;
  if (n === 0) return 0;
  return interpolate(p, n, (i) => sorted[i]!);
}

function interpolate(p: number, n: number, at: (i: number) => number): number {
  const rank = (p / 100) * (n - 1);
  const lo = Math.floor(rank);
  const hi = Math.ceil(rank);
  const vlo = at(lo);
  if (lo === hi) return vlo / 1000;
  return vlo / 1000 + ((at(hi) - vlo) * (rank - lo)) / 1000;
}

/** A sample multiset stored as value → count (ITLs: millions of repeated integers). */
export class CountedSamples {
  private readonly values: Float64Array;
  private readonly cumulative: Float64Array;
  readonly length: number;

  constructor(counts: ReadonlyMap<number, number>) {
    this.values = Float64Array.from(counts.keys()).sort();
    this.cumulative = new Float64Array(this.values.length);
    let c = 0;
    for (let i = 0; i < this.values.length; i++) {
      c += counts.get(this.values[i]!)!;
      this.cumulative[i] = c;
    }
    this.length = c;
  }

  /** The i-th smallest sample. */
  at(i: number): number {
    let lo = 0;
    let hi = this.cumulative.length - 1;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (this.cumulative[mid]! > i) hi = mid;
      else lo = mid + 1;
    }
    return this.values[lo]!;
  }

  meanMs(): number {
    if (this.length === 0) return 0;
    // Samples are integers, so the sum is exact in any order below 2^53.
    let sum = 0;
    let prev = 0;
    for (let i = 0; i < this.values.length; i++) {
      sum += this.values[i]! * (this.cumulative[i]! - prev);
      prev = this.cumulative[i]!;
    }
    return sum / this.length / 1000;
  }

  percentileMs(p: number): number {
    if (this.length === 0) return 0;
    return interpolate(p, this.length, (i) => this.at(i));
  }
}
