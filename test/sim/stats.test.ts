import { describe, expect, it } from 'vitest';
import { CountedSamples, meanMs, percentileMs } from '../../src/sim/stats.ts';

describe('BLIS statistics', () => {
  it('interpolates percentiles linearly (numpy "linear") and reports ms', () => {
    const v = Float64Array.from([1000, 2000, 3000, 4000]);
    expect(percentileMs(v, 0)).toBe(1);
    expect(percentileMs(v, 100)).toBe(4);
    expect(percentileMs(v, 50)).toBe(2.5);
    expect(percentileMs(v, 90)).toBeCloseTo(3.7, 12);
    expect(meanMs(v)).toBe(2.5);
  });

  it('returns 0 for empty samples', () => {
    expect(meanMs(new Float64Array(0))).toBe(0);
    expect(percentileMs(new Float64Array(0), 99)).toBe(0);
    expect(new CountedSamples(new Map()).percentileMs(50)).toBe(0);
  });

  it('counted samples equal the expanded sorted list for any percentile', () => {
    const counts = new Map<number, number>([
      [9115, 200],
      [9200, 3],
      [12000, 1],
      [5000, 7],
    ]);
    const expanded = Float64Array.from([...counts].flatMap(([v, c]) => Array(c).fill(v))).sort();
    const cs = new CountedSamples(counts);
    expect(cs.length).toBe(expanded.length);
    for (const p of [0, 1, 50, 90, 95, 99, 100]) expect(cs.percentileMs(p)).toBe(percentileMs(expanded, p));
    expect(cs.meanMs()).toBe(meanMs(expanded));
  });
});
