import { describe, expect, it } from 'vitest';
import { foldVote } from '../../src/tune/outcome.ts';
import type { BatchScorer } from '../../src/tune/search.ts';
import type { ParamSpec } from '../../src/tune/space.ts';
import { tune } from '../../src/tune/tuner.ts';
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

describe('a fit never ends worse than the current values on its own training data', () => {
  // The current values (null: the start, off the grid as a fitted file's values are) are the
  // optimum of every experiment on full replays; partial replays put the optimum elsewhere.
  const names = ['a1', 'a2', 'b1', 'c1', 'c2', 'd1'];
  const params: ParamSpec[] = [
    { name: 'mfuDecode', section: 'v1', lo: 0.05, hi: 0.6, step: 0.025 },
    { name: 'TOverheadMicros', section: 'v1', lo: 0, hi: 3000, step: 50 },
  ];
  const start = { mfuDecode: 0.2009, TOverheadMicros: 1.875 };
  const score: BatchScorer = async (cands, ns, fidelity = 1) =>
    cands.map((c) =>
      ns.map((n) => {
        const v = c ?? start;
        const shift = fidelity < 1 ? 0.05 : 0;
        const ape =
          5 +
          names.indexOf(n) +
          100 * Math.abs(v.mfuDecode! - start.mfuDecode - shift) +
          Math.abs(v.TOverheadMicros! - start.TOverheadMicros) / 10;
        return { status: 'ok' as const, apes: { e2e_mean: ape } };
      }),
    );
  const folds = ['a', 'b', 'c', 'd'].map((m) => ({
    name: m,
    train: names.filter((n) => !n.startsWith(m)),
    test: names.filter((n) => n.startsWith(m)),
  }));

  for (const method of ['grid', 'compass', 'pattern', 'nelder-mead'] as const) {
    for (const fidelity of [1, 0.2]) {
      it(`${method}, racing, fidelity ${fidelity}: every fold's fit and the final one`, async () => {
        const r = await tune(
          tuneInput({
            experiments: names,
            folds,
            cv: { kind: 'lomo' },
            params,
            start,
            maxEvals: 20,
            method,
            race: 0.2,
            fidelity,
            polish: fidelity < 1 ? 4 : 0,
            score,
          }),
        );
        for (const f of r.folds) {
          expect(f.search.best).toEqual(start);
          expect(f.fitted.objective).toBe(f.currentTrain.objective);
        }
        expect(r.final.search.best).toEqual(start);
        expect(r.final.fitted.objective).toBe(r.final.current.objective);
        expect(r.write).toBe(false);
      });
    }
  }
});
