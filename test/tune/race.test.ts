import { describe, expect, it } from 'vitest';
import type { ExperimentScore } from '../../src/tune/objective.ts';
import { objectiveOf } from '../../src/tune/objective.ts';
import { racingScorer } from '../../src/tune/race.ts';
import { type BatchScorer, candidateKey, search } from '../../src/tune/search.ts';
import type { Candidate, ParamSpec } from '../../src/tune/space.ts';

// 12 experiments whose APE is a bowl in (a, b) with an experiment-specific offset and tilt.
const names = Array.from({ length: 12 }, (_, i) => `x${i}`);
const ape = (c: Candidate | null, i: number) => {
  const a = c?.a ?? 0.9;
  const b = c?.b ?? 0.9;
  return 5 + i + 100 * ((a - 0.3 - i / 100) ** 2 + (b - 0.6) ** 2 * (1 + i / 10));
};
/** Memoised like the tuner's scorer: each (candidate, experiment) is simulated once. */
function fakeScorer(calls: { evaluations: number }): BatchScorer {
  const memo = new Set<string>();
  return async (cands, exps) =>
    cands.map((c) =>
      exps.map((n): ExperimentScore => {
        const k = `${c === null ? 'current' : candidateKey(c)} ${n}`;
        if (!memo.has(k)) calls.evaluations++;
        memo.add(k);
        return { status: 'ok', apes: { e2e_mean: ape(c, names.indexOf(n)) } };
      }),
    );
}
const P = (name: string): ParamSpec => ({ name, section: 'v1', lo: 0, hi: 1, step: 0.01 });

describe('racing', () => {
  it('stops hopeless candidates early, and the winner carries its full-evaluation objective', async () => {
    const o = {
      params: [P('a'), P('b')],
      start: { a: 0.9, b: 0.9 },
      maxEvals: 60,
      method: 'nelder-mead' as const,
    };
    const calls = { evaluations: 0 };
    const raced = racingScorer(fakeScorer(calls), names, (s) => objectiveOf(s), 0.1);
    const r = await search(o, raced.scorer);
    const full = objectiveOf(
      names.map((_, i) => ({ status: 'ok' as const, apes: { e2e_mean: ape(r.best, i) } })),
    );
    expect(r.bestScore).toBe(full);
    expect(raced.stats.stopped).toBeGreaterThan(0);
    expect(calls.evaluations).toBeLessThan(r.evaluations * names.length);
    // Without racing the same budget reaches an objective no better than racing's by more than a little.
    const plain = await search(
      o,
      racingScorer(fakeScorer({ evaluations: 0 }), names, (s) => objectiveOf(s), null).scorer,
    );
    expect(r.bestScore).toBeLessThanOrEqual(plain.bestScore * 1.05);
  });

  it('is off with a null margin: every candidate runs on every experiment', async () => {
    const calls = { evaluations: 0 };
    const raced = racingScorer(fakeScorer(calls), names, (s) => objectiveOf(s), null);
    const r = await search(
      { params: [P('a'), P('b')], start: { a: 0.5, b: 0.5 }, maxEvals: 20, method: 'nelder-mead' },
      raced.scorer,
    );
    expect(calls.evaluations).toBe(r.evaluations * names.length);
    expect(raced.stats.screened).toBe(0);
  });
});

describe('objective', () => {
  const s = (e2e: number, ttft: number): ExperimentScore => ({
    status: 'ok',
    apes: { e2e_mean: e2e, ttft_mean: ttft },
  });
  it('aggregates by mean or root mean square, with metric weights', () => {
    const scores = [s(10, 30), s(2, 2)];
    expect(objectiveOf(scores)).toBe((20 + 2) / 2);
    expect(objectiveOf(scores, { agg: 'rmse', weights: {} })).toBeCloseTo(Math.sqrt((400 + 4) / 2), 12);
    expect(objectiveOf(scores, { agg: 'mean', weights: { ttft_mean: 3 } })).toBe((25 + 2) / 2);
    expect(objectiveOf(scores, { agg: 'mean', weights: { ttft_mean: 0 } })).toBe(6);
  });
});
