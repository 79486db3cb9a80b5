import { describe, expect, it } from 'vitest';
import { polish } from '../../src/tune/polish.ts';
import type { BatchScorer, Scorer } from '../../src/tune/search.ts';
import type { Candidate, ParamSpec } from '../../src/tune/space.ts';
import { tune } from '../../src/tune/tuner.ts';
import { tuneInput } from '../support/tune-input.ts';

const bowl =
  (centre: Candidate): Scorer =>
  async (cands) =>
    cands.map((c) => Object.keys(centre).reduce((s, k) => s + (c[k]! - centre[k]!) ** 2, 0));

const mfu: ParamSpec = { name: 'mfuDecode', section: 'v1', lo: 0.1, hi: 0.9, step: 0.05 };
const overhead: ParamSpec = { name: 'stepOverheadMicros', section: 'v2', lo: 0, hi: 100, step: 5 };

describe('polish (full-replay pattern search around a winner)', () => {
  it('moves towards the full-replay optimum by grid steps and never ends worse than its start', async () => {
    const start = { mfuDecode: 0.5, stepOverheadMicros: 40 };
    const r = await polish([mfu, overhead], [start], 30, bowl({ mfuDecode: 0.6, stepOverheadMicros: 50 }));
    expect(r.fromScores[0]).toBeCloseTo(0.01 + 100);
    expect(r.best).toEqual({ mfuDecode: 0.6, stepOverheadMicros: 50 });
    expect(r.bestScore).toBe(0);
    expect(r.evaluations).toBeLessThanOrEqual(1 + 30);
  });

  it('starts from the best of the candidates it is given, exact (off the grid), the first on a tie', async () => {
    const winner = { mfuDecode: 0.5, stepOverheadMicros: 40 };
    const start = { mfuDecode: 0.2009, stepOverheadMicros: 1.875 };
    const atStart = bowl(start);
    const kept = await polish([mfu, overhead], [start, winner], 0, atStart);
    expect(kept).toEqual({ best: start, bestScore: 0, evaluations: 2, fromScores: [0, expect.any(Number)] });
    const searched = await polish([mfu, overhead], [start, winner], 10, atStart);
    expect(searched.best).toEqual(start);
    expect(searched.evaluations).toBeLessThanOrEqual(2 + 10);
    const tie = await polish([mfu], [start, { ...start }], 0, async (cs) => cs.map(() => 1));
    expect(tie.best).toBe(start);
    expect(tie.evaluations).toBe(1);
  });

  it('stays inside physical limits, keeps fixed fields, and stops within its budget', async () => {
    const fixed: ParamSpec = { name: 'tpScalingExponent', section: 'v1', lo: 0.8, hi: 0.8, step: 0.1 };
    const start = { mfuDecode: 0.98, tpScalingExponent: 0.8 };
    const r = await polish([mfu, fixed], [start], 4, bowl({ mfuDecode: 1.5, tpScalingExponent: 2 }));
    expect(r.best.mfuDecode).toBeLessThanOrEqual(1);
    expect(r.best.tpScalingExponent).toBe(0.8);
    expect(r.evaluations).toBeLessThanOrEqual(1 + 4);
  });

  it('holds a fixed field at its value around a given candidate that lies off it, never ending worse', async () => {
    const pinned: ParamSpec = { name: 'allReduceLinkScale', section: 'v1', lo: 1, hi: 1, step: 1 };
    const start = { mfuDecode: 0.5, allReduceLinkScale: 0 };
    const near = await polish([mfu, pinned], [start], 20, bowl({ mfuDecode: 0.6, allReduceLinkScale: 1 }));
    expect(near.best).toEqual({ mfuDecode: 0.6, allReduceLinkScale: 1 });
    const off = await polish([mfu, pinned], [start], 20, bowl({ mfuDecode: 0.5, allReduceLinkScale: 0 }));
    expect(off.best).toBe(start);
    expect(off.bestScore).toBe(0);
  });

  it('moves a coefficient (no physical limit) within its own range', async () => {
    const beta: ParamSpec = { name: 'beta3', section: 'trainedPhysics', lo: 0, hi: 2, step: 0.1 };
    const r = await polish([beta], [{ beta3: 1 }], 10, bowl({ beta3: 1.2 }));
    expect(r.best.beta3).toBeCloseTo(1.2);
  });
});

describe('tune with a partial-replay proxy', () => {
  // The proxy (fidelity < 1) puts the optimum at x = 2, the full replay at x = 2.3; the
  // current values (null) are the start.
  const x: ParamSpec = { name: 'overheadMicros', section: 'v1', lo: 0, hi: 4, step: 0.1 };
  const scoreFrom =
    (start: number): BatchScorer =>
    async (cands, names, fidelity = 1) =>
      cands.map((c) =>
        names.map(() => {
          const v = c?.overheadMicros ?? start;
          return { status: 'ok' as const, apes: { e2e_mean: 1 + (v - (fidelity < 1 ? 2 : 2.3)) ** 2 } };
        }),
      );
  const run = (polishEvals: number, start = 0) =>
    tune(
      tuneInput({
        experiments: ['e1', 'e2'],
        folds: [{ name: 'f', train: ['e1'], test: ['e2'] }],
        cv: { kind: 'lomo' },
        params: [x],
        start: { overheadMicros: start },
        maxEvals: 60,
        method: 'nelder-mead',
        fidelity: 0.2,
        polish: polishEvals,
        score: scoreFrom(start),
      }),
    );

  it('ends at the proxy optimum without a polish, at the full one with it, and reports the gain', async () => {
    const plain = await run(0);
    expect(plain.final.search.best.overheadMicros).toBeCloseTo(2, 1);
    expect(plain.final.search.polish).toMatchObject({ evaluations: 2, start: 1 + 2.3 ** 2 });
    const polished = await run(10);
    expect(polished.final.search.best.overheadMicros).toBeCloseTo(2.2, 1);
    expect(polished.final.fitted.objective).toBeLessThan(plain.final.fitted.objective);
    const p = polished.final.search.polish!;
    expect(p.to).toBeLessThan(p.from);
    expect(p.evaluations).toBeLessThanOrEqual(2 + 10);
    expect(polished.final.search.method).toMatch(/then a pattern search on full replays/);
  });

  it('keeps the start when the proxy optimum is worse on full replays: never worse than the current values', async () => {
    // The start (2.3, off the 0.1 grid's rounding of nothing) is the full-replay optimum; the
    // proxy pulls every search towards 2.
    for (const polishEvals of [0, 1, 10]) {
      const r = await run(polishEvals, 2.3);
      for (const s of [r.final, ...r.folds.map((f) => ({ ...f, current: f.currentTrain }))]) {
        expect(s.search.best).toEqual({ overheadMicros: 2.3 });
        expect(s.fitted.objective).toBe(s.current.objective);
        expect(s.search.polish!.from).toBeGreaterThan(s.search.polish!.start);
      }
    }
  });
});
