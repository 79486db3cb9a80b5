import { describe, expect, it } from 'vitest';
import { GoRand } from '../../src/sim/rng.ts';
import { parseExecutedSharedPrefix, sharedPrefixRequests } from '../../src/workload/shared-prefix.ts';
import {
  constantArrivals,
  poissonArrivals,
  type StageArrival,
  stageArrivals,
  stageCounts,
} from '../../src/workload/stage-arrivals.ts';

const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
const sd = (xs: number[]) => {
  const m = mean(xs);
  return Math.sqrt(xs.reduce((a, x) => a + (x - m) ** 2, 0) / (xs.length - 1));
};

/** Gaps between consecutive arrivals of one stage, in µs. */
function gaps(arrivals: StageArrival[], stage: number): number[] {
  const t = arrivals.filter((a) => a.stage === stage).map((a) => a.arrival);
  return t.slice(1).map((x, i) => x - t[i]!);
}

describe('Poisson stage arrivals (drawn)', () => {
  it('on random stage plans: seeded and deterministic, in order, round(rate × duration) per stage at the stage rate', () => {
    const plan = new GoRand(7);
    for (let trial = 0; trial < 25; trial++) {
      const stages = Array.from({ length: 1 + plan.intn(3) }, () => ({
        rate: 2 + plan.float64() * 60,
        duration: 60 + plan.intn(240),
      }));
      const seed = plan.intn(1000);
      const a = [...poissonArrivals({ stages }, seed)];
      expect([...poissonArrivals({ stages }, seed)]).toEqual(a);
      expect([...poissonArrivals({ stages }, seed + 1)]).not.toEqual(a);
      expect(a.every((x, i) => i === 0 || x.arrival >= a[i - 1]!.arrival)).toBe(true);
      const counts = stageCounts({ stages });
      stages.forEach((s, k) => {
        const g = gaps(a, k);
        expect(g.length).toBe(counts[k]! - 1);
        expect(Math.min(...g)).toBeGreaterThanOrEqual(1);
        // Exponential gaps: mean 1/rate and a coefficient of variation of 1, within
        // five standard errors of the sample (n >= 120 gaps per stage here).
        const m = mean(g);
        const se = 1 / Math.sqrt(g.length);
        expect(Math.abs(m * (s.rate / 1e6) - 1)).toBeLessThan(5 * se);
        expect(Math.abs(sd(g) / m - 1)).toBeLessThan(8 * se);
      });
    }
  });

  it('starts a stage at its nominal time, or after the previous stage when the draws ran past it', () => {
    const stages = [
      { rate: 5, duration: 20 },
      { rate: 10, duration: 20 },
    ];
    for (let seed = 0; seed < 40; seed++) {
      const a = [...poissonArrivals({ stages }, seed)];
      const last0 = Math.max(...a.filter((x) => x.stage === 0).map((x) => x.arrival));
      const first1 = Math.min(...a.filter((x) => x.stage === 1).map((x) => x.arrival));
      expect(first1).toBeGreaterThan(Math.max(20e6, last0));
    }
  });

  it('stays with the constant replay for constant load (seed unused)', () => {
    const load = {
      load_type: 'constant' as const,
      stages: [
        { rate: 5, duration: 10 },
        { rate: 8, duration: 5 },
      ],
    };
    expect([...stageArrivals(load, 1)]).toEqual([...constantArrivals(load)]);
    expect([...stageArrivals(load, 2)]).toEqual([...constantArrivals(load)]);
  });

  it('changes only the arrivals of a replay: the same prompts in the same order', () => {
    const spec = {
      shared_prefix: {
        num_groups: 3,
        num_prompts_per_group: 4,
        system_prompt_len: 20,
        question_len: 30,
        output_len: 10,
      },
      stages: [{ rate: 4, duration: 30 }],
    };
    const constant = [...sharedPrefixRequests(parseExecutedSharedPrefix(spec), 42)];
    const poisson = [
      ...sharedPrefixRequests(parseExecutedSharedPrefix({ ...spec, load_type: 'poisson' }), 42),
    ];
    expect(poisson.map((r) => [r.id, r.input, r.output, r.stage])).toEqual(
      constant.map((r) => [r.id, r.input, r.output, r.stage]),
    );
    expect(poisson.map((r) => r.arrival)).not.toEqual(constant.map((r) => r.arrival));
  });
});
