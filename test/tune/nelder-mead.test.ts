import { describe, expect, it } from 'vitest';
import { nelderMead } from '../../src/tune/nelder-mead.ts';
import { search } from '../../src/tune/search.ts';
import type { Candidate } from '../../src/tune/space.ts';
import { P, scorer } from '../support/search-fixtures.ts';

const unit = (f: (x: readonly number[]) => number) => async (xs: readonly number[][]) => xs.map(f);

describe('Nelder–Mead in the unit box', () => {
  it('finds the minimum of a shifted quadratic in 6 dimensions', async () => {
    const centre = [0.2, 0.7, 0.45, 0.9, 0.1, 0.55];
    const f = (x: readonly number[]) => x.reduce((s, v, i) => s + (i + 1) * (v - centre[i]!) ** 2, 0);
    const r = await nelderMead(
      { start: [0.5, 0.5, 0.5, 0.5, 0.5, 0.5], step: 0.25, maxEvals: 2000, resolution: 1e-6 },
      unit(f),
    );
    for (const [i, v] of r.best.entries()) expect(v).toBeCloseTo(centre[i]!, 2);
    expect(r.evaluations).toBeLessThanOrEqual(2000);
  });

  it('finds the minimum of the Rosenbrock valley', async () => {
    // Rosenbrock on [-2, 2]^2 mapped to the unit box; minimum at (1, 1) → (0.75, 0.75).
    const f = (u: readonly number[]) => {
      const [x, y] = u.map((v) => 4 * v - 2) as [number, number];
      return (1 - x) ** 2 + 100 * (y - x * x) ** 2;
    };
    const r = await nelderMead(
      { start: [0.25, 0.6], step: 0.1, maxEvals: 3000, resolution: 1e-9, tolerance: 1e-12 },
      unit(f),
    );
    expect(r.best[0]).toBeCloseTo(0.75, 3);
    expect(r.best[1]).toBeCloseTo(0.75, 3);
  });

  it('stays in the box and ends on the bound when the minimum lies outside it', async () => {
    const seen: number[][] = [];
    const f = (x: readonly number[]) => {
      seen.push([...x]);
      return (x[0]! + 0.5) ** 2 + (x[1]! - 0.3) ** 2;
    };
    const r = await nelderMead({ start: [0.8, 0.8], step: 0.2, maxEvals: 500, resolution: 1e-6 }, unit(f));
    for (const x of seen) for (const v of x) expect(v >= 0 && v <= 1).toBe(true);
    expect(r.best[0]).toBe(0);
    expect(r.best[1]).toBeCloseTo(0.3, 2);
  });

  it('spends no more than its budget and is deterministic', async () => {
    const f = (x: readonly number[]) => Math.sin(7 * x[0]!) + Math.cos(5 * x[1]!) + x[2]!;
    const o = { start: [0.3, 0.3, 0.3], step: 0.25, maxEvals: 37, resolution: 1e-4 };
    const a = await nelderMead(o, unit(f));
    const b = await nelderMead(o, unit(f));
    expect(a).toEqual(b);
    expect(a.evaluations).toBeLessThanOrEqual(37);
  });
});

describe('search with Nelder–Mead', () => {
  it('lands between grid points on a continuous minimum, within the budget', async () => {
    const params = [
      P('mfuDecode', 0.05, 0.6, 0.05),
      P('TOverheadMicros', 0, 3000, 100),
      P('tpScalingExponent', 0.3, 1.2, 0.1),
    ];
    const f = (c: Candidate) =>
      (c.mfuDecode! - 0.237) ** 2 * 100 +
      ((c.TOverheadMicros! - 1234) / 1000) ** 2 +
      (c.tpScalingExponent! - 0.81) ** 2;
    const r = await search(
      {
        params,
        start: { mfuDecode: 0.5, TOverheadMicros: 0, tpScalingExponent: 1 },
        maxEvals: 300,
        method: 'nelder-mead',
      },
      scorer(f),
    );
    expect(r.method).toMatch(/Nelder–Mead/);
    expect(r.evaluations).toBeLessThanOrEqual(300);
    expect(r.best.mfuDecode).toBeCloseTo(0.237, 2);
    expect(r.best.TOverheadMicros! / 1000).toBeCloseTo(1.234, 1);
    expect(r.onBound).toEqual([]);
  });

  it('widens a range up to the physical limit and says when the fit still ends on a bound', async () => {
    // Minimum of mfuDecode at 0.95 (outside 0.1:0.5, inside (0, 1]); overhead wants to be negative.
    const params = [P('mfuDecode', 0.1, 0.5, 0.05), P('TOverheadMicros', 100, 3000, 100)];
    const f = (c: Candidate) => (c.mfuDecode! - 0.95) ** 2 + ((c.TOverheadMicros! + 500) / 1000) ** 2;
    const r = await search(
      { params, start: { mfuDecode: 0.3, TOverheadMicros: 1000 }, maxEvals: 400, method: 'nelder-mead' },
      scorer(f),
    );
    expect(r.best.mfuDecode).toBeCloseTo(0.95, 2);
    expect(r.best.TOverheadMicros).toBe(0);
    expect(r.widened?.map((w) => w.name).sort()).toEqual(['TOverheadMicros', 'mfuDecode']);
    expect(r.onBound).toEqual([{ name: 'TOverheadMicros', bound: 'lo', value: 0 }]);
  });
});
