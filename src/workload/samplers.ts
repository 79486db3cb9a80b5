/**
 * Token-length samplers of the workload spec (reference §7.4), draw for draw as BLIS
 * v0.6.1: every result is at least 1, and samplers that need no randomness draw
 * nothing (which matters, since every draw shifts the client's sequence).
 * Math.pow and Math.exp may differ from Go's in the last bit; that can change a length
 * only when a value falls within an ulp of a rounding boundary.
 */
import { InputError } from '../errors.ts';
import type { GoRand } from '../sim/rng.ts';
import { goRound, SMALLEST_NONZERO } from './go-math.ts';
import type { DistSpec } from './spec-schema.ts';

export type LengthSampler = (rng: GoRand) => number;

const atLeastOne = (n: number): number => Math.max(1, n);

function need(params: Record<string, number>, where: string, ...keys: string[]): void {
  for (const k of keys) {
    if (params[k] === undefined) throw new InputError(`${where}: distribution requires parameter "${k}"`);
  }
}

/** Builds the sampler for `dist`; `where` names the field in errors. */
export function createLengthSampler(dist: DistSpec, where: string): LengthSampler {
  const p = dist.params;
  switch (dist.type) {
    case 'gaussian': {
      need(p, where, 'mean', 'std_dev', 'min', 'max');
      const mean = p.mean!;
      const std = p.std_dev!;
      const min = Math.trunc(p.min!);
      const max = Math.trunc(p.max!);
      return (rng) => {
        if (min === max) return min;
        const v = rng.normFloat64() * std + mean;
        return atLeastOne(goRound(Math.min(max, Math.max(min, v))));
      };
    }
    case 'exponential': {
      need(p, where, 'mean');
      const mean = p.mean!;
      return (rng) => atLeastOne(goRound(rng.expFloat64() * mean));
    }
    case 'pareto_lognormal': {
      need(p, where, 'alpha', 'xm', 'mu', 'sigma', 'mix_weight');
      const { alpha, xm, mu, sigma, mix_weight: mix } = p as Record<string, number>;
      return (rng) => {
        let v: number;
        if (rng.float64() < mix!) {
          const u = rng.float64() || SMALLEST_NONZERO;
          v = xm! / u ** (1 / alpha!);
        } else {
          v = Math.exp(mu! + sigma! * rng.normFloat64());
        }
        return Number.isFinite(v) ? atLeastOne(goRound(v)) : 1;
      };
    }
    case 'constant': {
      need(p, where, 'value');
      const value = atLeastOne(Math.trunc(p.value!));
      return () => value;
    }
    case 'empirical':
      return empiricalSampler(dist, where);
    default:
      throw new InputError(`${where}: unknown distribution type "${dist.type}"`);
  }
}

/**
 * Inline PDF (length → probability): keys sorted numerically, probabilities
 * normalised by the sum of all entries, non-positive entries dropped, the last CDF
 * entry forced to 1; a draw takes the first CDF entry ≥ U (Go's SearchFloat64s).
 */
function empiricalSampler(dist: DistSpec, where: string): LengthSampler {
  const entries = Object.entries(dist.params);
  if (entries.length === 0) {
    throw new InputError(`${where}: empirical distribution needs inline params (length: probability)`);
  }
  const pdf = new Map<number, number>();
  for (const [key, prob] of entries) {
    const m = /^\s*[+-]?\d+/.exec(key);
    if (m === null) throw new InputError(`${where}.params: empirical PDF key "${key}" is not an integer`);
    pdf.set(Number.parseInt(m[0], 10), prob);
  }
  const keys = [...pdf.keys()].sort((a, b) => a - b);
  let total = 0;
  for (const k of keys) total += pdf.get(k)!;
  const values: number[] = [];
  const cdf: number[] = [];
  let cumulative = 0;
  for (const k of keys) {
    const prob = pdf.get(k)!;
    if (prob <= 0) continue;
    cumulative += prob / total;
    values.push(k);
    cdf.push(cumulative);
  }
  if (cdf.length > 0) cdf[cdf.length - 1] = 1;
  return (rng) => {
    if (values.length === 0) return 1;
    if (values.length === 1) return values[0]!;
    const u = rng.float64();
    let lo = 0;
    let hi = cdf.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (cdf[mid]! < u) lo = mid + 1;
      else hi = mid;
    }
    return values[Math.min(lo, values.length - 1)]!;
  };
}
