import { describe, expect, it } from 'vitest';
import { GoRand } from '../../src/sim/rng.ts';
import { createArrivalSampler, weibullCV, weibullShapeFromCV } from '../../src/workload/arrivals.ts';
import { goGamma, goRound } from '../../src/workload/go-math.ts';
import { createLengthSampler } from '../../src/workload/samplers.ts';
import type { DistSpec } from '../../src/workload/spec-schema.ts';

const dist = (type: string, params: Record<string, number>): DistSpec => ({ type, params, file: '' });

function stats(draw: () => number, n = 100_000) {
  let s = 0;
  let s2 = 0;
  let min = Number.POSITIVE_INFINITY;
  for (let i = 0; i < n; i++) {
    const x = draw();
    s += x;
    s2 += x * x;
    min = Math.min(min, x);
  }
  const mean = s / n;
  return { mean, cv: Math.sqrt(s2 / n - mean * mean) / mean, min };
}

describe('Go math helpers', () => {
  it('rounds half away from zero', () => {
    expect([goRound(2.5), goRound(-2.5), goRound(0.49999999999999994), goRound(-0.5)]).toEqual([
      3, -3, 0, -1,
    ]);
  });

  it('computes Γ like Cephes', () => {
    expect(goGamma(5)).toBe(24);
    expect(goGamma(2)).toBe(1);
    expect(goGamma(1.5)).toBeCloseTo(Math.sqrt(Math.PI) / 2, 15);
    expect(goGamma(11)).toBe(3628800);
    expect(goGamma(1.01)).toBeCloseTo(0.9943258511915061, 14);
  });
});

describe('length samplers', () => {
  const rng = new GoRand(99);

  it('gaussian: mean about right, clamped, floored at 1', () => {
    const g = createLengthSampler(dist('gaussian', { mean: 100, std_dev: 20, min: 10, max: 200 }), 'x');
    expect(stats(() => g(rng)).mean).toBeCloseTo(100, 0);
    const low = createLengthSampler(dist('gaussian', { mean: 0, std_dev: 5, min: -10, max: 10 }), 'x');
    expect(stats(() => low(rng)).min).toBe(1);
  });

  it('exponential and pareto-lognormal means', () => {
    const e = createLengthSampler(dist('exponential', { mean: 300 }), 'x');
    expect(stats(() => e(rng)).mean / 300).toBeCloseTo(1, 1);
    // Pure lognormal: E = exp(mu + sigma²/2).
    const ln = createLengthSampler(
      dist('pareto_lognormal', { alpha: 2, xm: 10, mu: 5, sigma: 0.5, mix_weight: 0 }),
      'x',
    );
    expect(stats(() => ln(rng)).mean / Math.exp(5.125)).toBeCloseTo(1, 1);
    // Pure Pareto: E = alpha·xm/(alpha − 1).
    const pa = createLengthSampler(
      dist('pareto_lognormal', { alpha: 3, xm: 100, mu: 0, sigma: 1, mix_weight: 1 }),
      'x',
    );
    expect(stats(() => pa(rng)).mean / 150).toBeCloseTo(1, 1);
  });

  it('constant draws nothing; empirical follows its PDF', () => {
    const c = createLengthSampler(dist('constant', { value: 0 }), 'x');
    const a = new GoRand(5);
    expect(c(a)).toBe(1);
    expect(a.int63()).toBe(new GoRand(5).int63());
    const emp = createLengthSampler(dist('empirical', { '10': 1, '20': 3, '30': 0 }), 'x');
    const { mean } = stats(() => emp(rng));
    expect(mean).toBeCloseTo(17.5, 0);
    const one = createLengthSampler(dist('empirical', { '42': 5 }), 'x');
    expect(one(a)).toBe(42);
  });

  it('names the field of a missing parameter', () => {
    expect(() => createLengthSampler(dist('gaussian', { mean: 1 }), 'clients[0].input_distribution')).toThrow(
      /clients\[0\]\.input_distribution.*std_dev/,
    );
  });
});

describe('arrival samplers', () => {
  const rate = 10 / 1e6;

  it('poisson: mean 1/rate, cv 1, IAT at least 1 µs', () => {
    const rng = new GoRand(1);
    const p = createArrivalSampler('poisson', undefined, rate);
    const s = stats(() => p(rng));
    expect(s.mean / 1e5).toBeCloseTo(1, 1);
    expect(s.cv).toBeCloseTo(1, 1);
    const fast = createArrivalSampler('poisson', undefined, 10);
    expect(stats(() => fast(rng), 1000).min).toBe(1);
  });

  it('gamma: mean 1/rate and the requested cv (also below shape 1)', () => {
    for (const cv of [0.5, 2]) {
      const rng = new GoRand(2);
      const g = createArrivalSampler('gamma', cv, rate);
      const s = stats(() => g(rng));
      expect(s.mean / 1e5).toBeCloseTo(1, 1);
      expect(s.cv / cv).toBeCloseTo(1, 1);
    }
  });

  it('weibull: bisection finds k for the cv; samples match mean and cv', () => {
    const k = weibullShapeFromCV(0.5);
    expect(Math.abs(weibullCV(k) - 0.5)).toBeLessThan(0.001);
    const rng = new GoRand(3);
    const w = createArrivalSampler('weibull', 0.5, rate);
    const s = stats(() => w(rng));
    expect(s.mean / 1e5).toBeCloseTo(1, 1);
    expect(s.cv / 0.5).toBeCloseTo(1, 1);
  });
});
