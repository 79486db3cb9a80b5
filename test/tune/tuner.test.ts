import { describe, expect, it } from 'vitest';
import type { ParamSpec } from '../../src/tune/space.ts';
import { type BatchScorer, foldVote, tune } from '../../src/tune/tuner.ts';
import { tuneInput } from '../support/tune-input.ts';

const NAMES = ['e1', 'e2', 'e3'];
const x: ParamSpec = { name: 'x', section: 'v1', lo: 0, hi: 4, step: 1 };

/**
 * Current values blow up e1 (900 %) and are good on e2, e3 (5 %); every candidate scores 50 %
 * on e1 and `other` on e2, e3. Each fold leaves one experiment out.
 */
function run(other: number) {
  const score: BatchScorer = async (cands, names) =>
    cands.map((c) =>
      names.map((n) => {
        const ape = c === null ? (n === 'e1' ? 900 : 5) : n === 'e1' ? 50 : other;
        return { status: 'ok' as const, apes: { e2e_mean: ape } };
      }),
    );
  return tune(
    tuneInput({
      experiments: NAMES,
      folds: NAMES.map((n) => ({ name: n, train: NAMES.filter((m) => m !== n), test: [n] })),
      cv: { kind: 'lomo' },
      params: [x],
      start: { x: 0 },
      maxEvals: 5,
      method: 'grid',
      score,
    }),
  );
}

describe('the write-back decision', () => {
  it('refuses a fit whose pooled left-out error wins only through one blown-up experiment', async () => {
    const r = await run(10);
    // Pooled left-out: (50 + 10 + 10) / 3 = 23.3 against (900 + 5 + 5) / 3 = 303.3, yet 2 of 3 folds lose.
    expect(r.cv!.leftOut.objective).toBeCloseTo(70 / 3);
    expect(r.write).toBe(false);
    expect(r.why).toMatch(/1 better, 2 worse.*loses on more left-out folds than it wins/);
  });

  it('writes a fit that wins pooled and on most folds', async () => {
    const r = await run(4);
    expect(r.write).toBe(true);
    expect(r.why).toMatch(/3 better, 0 worse\): the fit generalises better/);
  });

  it('votes by more than 0.05 points, and a finite error beats none', () => {
    expect(foldVote(10, 9)).toBe(1);
    expect(foldVote(10, 10.04)).toBe(0);
    expect(foldVote(10, 11)).toBe(-1);
    expect(foldVote(Number.POSITIVE_INFINITY, 11)).toBe(1);
    expect(foldVote(10, Number.NaN)).toBe(-1);
  });
});
