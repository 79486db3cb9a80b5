/**
 * Inter-arrival samplers of the workload spec (reference §7.4), as BLIS v0.6.1: the
 * rate is in requests/µs, every IAT is truncated to an integer and is at least 1 µs.
 */
import type { GoRand } from '../sim/rng.ts';
import { goGamma, SMALLEST_NONZERO } from './go-math.ts';

export type ArrivalSampler = (rng: GoRand) => number;

const atLeastOne = (x: number): number => {
  const iat = Math.trunc(x);
  return Math.max(1, iat);
};

/** Builds the sampler for a client's `arrival` block at `ratePerUs` requests/µs. */
export function createArrivalSampler(
  process: string,
  cv: number | undefined,
  ratePerUs: number,
): ArrivalSampler {
  // BLIS's defensive floor against division by zero.
  const rate = Math.max(1e-15, ratePerUs);
  const poisson: ArrivalSampler = (rng) => atLeastOne(rng.expFloat64() / rate);
  const c = cv === undefined || cv <= 0 ? 1 : cv;
  switch (process) {
    case 'gamma': {
      const shape = 1 / (c * c);
      const scale = (1 / rate) * c * c;
      // Very bursty shapes fall back to Poisson, as BLIS does (with a warning there).
      if (shape < 0.01) return poisson;
      return (rng) => atLeastOne(gammaSample(rng, shape, scale));
    }
    case 'weibull': {
      const k = weibullShapeFromCV(c);
      const scale = 1 / rate / goGamma(1 + 1 / k);
      return (rng) => {
        const u = rng.float64() || SMALLEST_NONZERO;
        return atLeastOne(scale * (-Math.log(u)) ** (1 / k));
      };
    }
    default:
      return poisson;
  }
}

/**
 * Gamma(shape, scale) by Marsaglia–Tsang; for shape < 1 the uniform is drawn first,
 * then Gamma(shape + 1)·U^(1/shape), in BLIS's order.
 */
export function gammaSample(rng: GoRand, shape: number, scale: number): number {
  if (shape < 1) {
    const u = rng.float64();
    return gammaSample(rng, shape + 1, scale) * u ** (1 / shape);
  }
  const d = shape - 1 / 3;
  const c = 1 / Math.sqrt(9 * d);
  for (;;) {
    let x: number;
    let v: number;
    do {
      x = rng.normFloat64();
      v = 1 + c * x;
    } while (!(v > 0));
    v = v * v * v;
    const u = rng.float64();
    if (u < 1 - 0.0331 * (x * x) * (x * x)) return d * v * scale;
    if (Math.log(u) < 0.5 * x * x + d * (1 - v + Math.log(v))) return d * v * scale;
  }
}

/** Weibull CV as a function of the shape k: sqrt(Γ(1+2/k)/Γ(1+1/k)² − 1). */
export function weibullCV(k: number): number {
  const g1 = goGamma(1 + 1 / k);
  const g2 = goGamma(1 + 2 / k);
  return Math.sqrt(g2 / (g1 * g1) - 1);
}

/** Bisection on k ∈ [0.1, 100], at most 100 steps, stopping when |cv − target| < 0.001. */
export function weibullShapeFromCV(target: number): number {
  let lo = 0.1;
  let hi = 100;
  for (let i = 0; i < 100; i++) {
    const mid = (lo + hi) / 2;
    const cv = weibullCV(mid);
    if (Math.abs(cv - target) < 0.001) return mid;
    // CV decreases as k grows.
    if (cv > target) lo = mid;
    else hi = mid;
  }
  return (lo + hi) / 2;
}
