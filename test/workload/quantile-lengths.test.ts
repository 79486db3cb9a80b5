import { describe, expect, it } from 'vitest';
import { GoRand } from '../../src/sim/rng.ts';
import { type LengthStats, QuantileLengths } from '../../src/workload/quantile-lengths.ts';

function sample(stats: LengthStats, n: number, seed: number): number[] {
  const d = new QuantileLengths(stats);
  const rng = new GoRand(seed);
  return Array.from({ length: n }, () => d.draw(rng));
}

/** Random ordered summaries whose mean the quantiles can reach, wide and narrow, integer ends. */
function randomStats(rng: GoRand): LengthStats {
  const min = rng.intn(500);
  const span = 1 + rng.intn(rng.intn(2) === 0 ? 40 : 3000);
  const q = [0.1, 0.5, 0.9].map(() => min + rng.float64() * span).sort((a, b) => a - b);
  const stats = { min, p10: q[0]!, median: q[1]!, p90: q[2]!, max: min + span, mean: 0 };
  // A mean between the piecewise-linear one and the furthest the midpoint knots reach.
  const knots = [min, q[0]!, q[1]!, q[2]!, min + span];
  const w = [0.1, 0.4, 0.4, 0.1];
  const linear = w.reduce((t, wi, i) => t + (wi * (knots[i]! + knots[i + 1]!)) / 2, 0);
  const reach = w.reduce((t, wi, i) => t + (wi * (knots[i + 1]! - knots[i]!)) / 4, 0);
  stats.mean = linear + (rng.float64() * 1.8 - 0.9) * reach;
  return stats;
}

describe('QuantileLengths', () => {
  it('matches random measured summaries: mean and p10, median, p90 within tolerance, min and max respected', () => {
    const gen = new GoRand(2024);
    for (let c = 0; c < 60; c++) {
      const s = randomStats(gen);
      const xs = sample(s, 20_000, c + 1);
      const width = s.max - s.min;
      const mean = xs.reduce((a, b) => a + b, 0) / xs.length;
      // Sampling error of a mean of 20 000 draws is well under 1 % of the span; rounding adds none.
      expect(Math.abs(mean - s.mean)).toBeLessThan(0.01 * width + 0.05);
      // Each given quantile holds its share of the sample (in probability: steep segments make
      // a length tolerance meaningless), up to the whole-token rounding.
      const below = (x: number) => xs.filter((v) => v <= x).length / xs.length;
      for (const [p, want] of [
        [0.1, s.p10],
        [0.5, s.median],
        [0.9, s.p90],
      ] as const) {
        expect(below(want - 1)).toBeLessThan(p + 0.015);
        expect(below(want + 1)).toBeGreaterThan(p - 0.015);
      }
      expect(Math.min(...xs)).toBeGreaterThanOrEqual(s.min);
      expect(Math.max(...xs)).toBeLessThanOrEqual(s.max);
    }
  });

  it('passes through every given quantile exactly', () => {
    const s = { mean: 195.09, min: 0, p10: 31, median: 247, p90: 249, max: 250 };
    const d = new QuantileLengths(s);
    expect([0, 0.1, 0.5, 0.9, 1].map((u) => d.quantile(u))).toEqual([0, 31, 247, 249, 250]);
    // The measured (shipped Llama-2-7B codegen) output lengths: mean honoured, not the linear 181.
    let mean = 0;
    for (let i = 0; i < 100_000; i++) mean += d.quantile((i + 0.5) / 100_000) / 100_000;
    expect(mean).toBeCloseTo(195.09, 1);
  });

  it('comes as near a mean the quantiles cannot reach as they allow', () => {
    const d = new QuantileLengths({ mean: 99, min: 0, p10: 1, median: 2, p90: 3, max: 100 });
    for (let u = 0; u <= 1; u += 0.05) expect(d.quantile(u)).toBeLessThanOrEqual(100);
    const xs = sample({ mean: 99, min: 0, p10: 1, median: 2, p90: 3, max: 100 }, 1000, 1);
    expect(Math.max(...xs)).toBeLessThanOrEqual(100);
  });

  it('gives the constant for constant stats (min = max)', () => {
    const xs = sample({ mean: 247, min: 247, p10: 247, median: 247, p90: 247, max: 247 }, 500, 3);
    expect(new Set(xs)).toEqual(new Set([247]));
  });

  it('is deterministic for a seed and differs between seeds', () => {
    const s = { mean: 591.63, min: 580, p10: 584.9, median: 591, p90: 600, max: 604 };
    expect(sample(s, 300, 42)).toEqual(sample(s, 300, 42));
    expect(sample(s, 300, 42)).not.toEqual(sample(s, 300, 43));
  });
});
