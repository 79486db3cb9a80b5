/** The numbers behind every error figure: percentage errors and a seeded bootstrap. */
import { quantileSorted } from 'simple-statistics';

/** Signed percentage error, or null where it is undefined (measured 0 or not finite). */
export function percentError(predicted: number, measured: number): number | null {
  if (measured === 0 || !Number.isFinite(measured) || !Number.isFinite(predicted)) return null;
  return ((predicted - measured) / measured) * 100;
}

/** Absolute percentage error (APE), or null where it is undefined. */
export function absPercentError(predicted: number, measured: number): number | null {
  const pe = percentError(predicted, measured);
  return pe === null ? null : Math.abs(pe);
}

/** mulberry32: a tiny 32-bit PRNG, enough for reproducible bootstrap resampling. */
function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const sampleMean = (xs: number[]): number => {
  let sum = 0;
  for (const x of xs) sum += x;
  return sum / xs.length;
};

/**
 * Percentile-bootstrap 95 % CI of a statistic (the mean unless given). A fresh PRNG per call,
 * so a CI does not depend on which other models, metrics or groups were computed before it.
 */
export function bootstrapCi(
  values: readonly number[],
  samples: number,
  seed: number,
  statistic: (resample: number[]) => number = sampleMean,
): [number, number] | null {
  const n = values.length;
  if (n < 2 || samples < 1) return null;
  const rand = mulberry32(seed);
  const stats = new Array<number>(samples);
  const resample = new Array<number>(n);
  for (let b = 0; b < samples; b++) {
    for (let i = 0; i < n; i++) resample[i] = values[Math.floor(rand() * n)]!;
    stats[b] = statistic(resample);
  }
  stats.sort((x, y) => x - y);
  return [quantileSorted(stats, 0.025), quantileSorted(stats, 0.975)];
}
