import { describe, expect, it } from 'vitest';
import { InputError } from '../../src/errors.ts';
import type { Experiment } from '../../src/groundtruth/experiment.ts';
import { makeFolds, parseCv } from '../../src/tune/folds.ts';
import { fullGrid, gridCandidates, search } from '../../src/tune/search.ts';
import { type Candidate, parseParamFlag } from '../../src/tune/space.ts';
import { P, scorer } from '../support/search-fixtures.ts';

const bowl = (c: Candidate) => (c.a! - 0.35) ** 2 + (c.b! - 120) ** 2 / 1e4;

describe('search', () => {
  const params = [P('a', 0, 1, 0.05), P('b', 0, 500, 10)];

  it('evaluates the whole grid when it fits and finds its minimum', async () => {
    const r = await search(
      { params, start: { a: 0.5, b: 0 }, maxEvals: 10_000, method: 'auto' },
      scorer(bowl),
    );
    expect(r.method).toMatch(/^grid/);
    expect(r.evaluations).toBe(21 * 51);
    expect(r.best).toEqual({ a: 0.35, b: 120 });
  });

  it('refines coarse-to-fine within the budget when the grid does not fit', async () => {
    const r = await search(
      { params, start: { a: 0.9, b: 450 }, maxEvals: 80, method: 'compass' },
      scorer(bowl),
    );
    expect(r.evaluations).toBeLessThanOrEqual(80);
    expect(r.method).toMatch(/coarse grid .* compass/);
    expect(r.best).toEqual({ a: 0.35, b: 120 });
    // The convergence trace never gets worse.
    for (let i = 1; i < r.trace.length; i++)
      expect(r.trace[i]!.best).toBeLessThanOrEqual(r.trace[i - 1]!.best);
  });

  it('runs a compass search from the start with --method pattern, deterministically', async () => {
    const o = { params, start: { a: 0.9, b: 450 }, maxEvals: 60, method: 'pattern' as const };
    const a = await search(o, scorer(bowl));
    const b = await search(o, scorer(bowl));
    expect(a).toEqual(b);
    expect(a.method).toMatch(/^compass/);
    expect(bowl(a.best)).toBeLessThan(bowl({ a: 0.9, b: 450 }));
  });

  it('lists the full grid with the first parameter varying slowest', () => {
    expect(fullGrid([P('x', 0, 1, 0.5), P('y', 1, 2, 1)])).toEqual([
      { x: 0, y: 1 },
      { x: 0, y: 2 },
      { x: 0.5, y: 1 },
      { x: 0.5, y: 2 },
      { x: 1, y: 1 },
      { x: 1, y: 2 },
    ]);
  });
});

describe('parameter specs', () => {
  it('parses name=lo:hi:step and a pinned value', () => {
    expect(parseParamFlag('roofline-v1', 'mfuDecode=0.1:0.4:0.05')).toMatchObject({
      lo: 0.1,
      hi: 0.4,
      step: 0.05,
    });
    expect(parseParamFlag('roofline-v2', 'perLayerOverhead=40')).toMatchObject({ lo: 40, hi: 40 });
  });

  it('rejects bad specs with a clear error', () => {
    expect(() => parseParamFlag('roofline-v1', 'mfuDecode=0.4:0.1:0.05')).toThrow(InputError);
    expect(() => parseParamFlag('roofline-v1', 'mfuDecode=a:b:c')).toThrow(/lo <= hi/);
    expect(() => parseParamFlag('roofline-v1', 'bogus=1:2:1')).toThrow(/unknown field 'bogus'/);
    expect(() => parseParamFlag('roofline-v2', 'mfuDecode=0.1:0.2:0.1')).toThrow(/for roofline-v2/);
    expect(() => parseParamFlag('roofline-v1', 'mfuDecode')).toThrow(/expected name=lo:hi:step/);
  });
});

describe('cross-validation folds', () => {
  const xs = ['a1', 'a2', 'b1', 'c1', 'c2', 'c3'].map((name) => ({ name, model: name[0]! }) as Experiment);

  it('leaves one model out', () => {
    const folds = makeFolds(xs, parseCv('leave-one-model-out'));
    expect(folds.map((f) => f.test)).toEqual([['a1', 'a2'], ['b1'], ['c1', 'c2', 'c3']]);
    for (const f of folds) expect([...f.train, ...f.test].sort()).toEqual(xs.map((x) => x.name));
  });

  it('leaves one GPU (as resolved) or one workload family out', () => {
    const ys = xs.map((x, i) => ({
      ...x,
      gpu: i < 3 ? 'h100' : 'A100-80GB',
      family: i % 2 ? 'codegen' : 'chat',
    }));
    const byGpu = makeFolds(ys, parseCv('leave-one-gpu-out'), (x) => x.gpu.toUpperCase());
    expect(byGpu.map((f) => [f.name, f.test])).toEqual([
      ['H100', ['a1', 'a2', 'b1']],
      ['A100-80GB', ['c1', 'c2', 'c3']],
    ]);
    const byFamily = makeFolds(ys, parseCv('leave-one-family-out'));
    expect(byFamily.map((f) => f.test)).toEqual([
      ['a1', 'b1', 'c2'],
      ['a2', 'c1', 'c3'],
    ]);
    for (const f of [...byGpu, ...byFamily])
      expect([...f.train, ...f.test].sort()).toEqual(xs.map((x) => x.name));
  });

  it('deals k folds that partition the experiments', () => {
    const folds = makeFolds(xs, parseCv('k-fold:3'));
    expect(folds).toHaveLength(3);
    expect(folds.flatMap((f) => f.test).sort()).toEqual(xs.map((x) => x.name));
    expect(makeFolds(xs, parseCv('k-fold:3'))).toEqual(folds);
  });

  it('rejects unknown specs and single-group splits', () => {
    expect(() => parseCv('loo')).toThrow(InputError);
    expect(() => makeFolds(xs.slice(0, 2), parseCv('leave-one-model-out'))).toThrow(/two groups/);
    expect(makeFolds(xs, parseCv('none'))).toEqual([]);
  });
});

describe('every search starts from the exact current values', () => {
  // Off the grid of either field, as a fitted file's values are (0.2009 between 0.2 and 0.225).
  const params = [P('mfuDecode', 0.05, 0.6, 0.025), P('TOverheadMicros', 0, 3000, 50)];
  const start = { mfuDecode: 0.2009, TOverheadMicros: 1.875 };
  const methods = ['grid', 'auto', 'compass', 'pattern', 'nelder-mead'] as const;
  const budget = (m: (typeof methods)[number]) => (m === 'grid' || m === 'auto' ? 2000 : 60);

  /** A scorer that records every batch it is asked for. */
  const recording = (f: (c: Candidate) => number) => {
    const batches: Candidate[][] = [];
    const score = async (cs: readonly Candidate[]) => {
      batches.push([...cs]);
      return cs.map(f);
    };
    return { batches, score };
  };

  for (const method of methods) {
    it(`${method}: scores the start alone first, and keeps it when nothing is strictly better`, async () => {
      const atStart = (c: Candidate) =>
        Math.abs(c.mfuDecode! - start.mfuDecode) + Math.abs(c.TOverheadMicros! - start.TOverheadMicros) / 1e3;
      const { batches, score } = recording(atStart);
      const r = await search({ params, start, maxEvals: budget(method), method }, score);
      expect(batches[0]).toEqual([start]);
      expect(r.best).toEqual(start);
      expect(r.bestScore).toBe(0);
      expect(r.trace[0]).toEqual({ evaluations: 1, best: 0 });
    });
  }

  it('never returns worse than the start, and the best so far never rises, from any start', async () => {
    // A bumpy objective with many local minima; starts drawn off the grid, a few outside the box.
    let seed = 7;
    const rand = () => {
      seed = (seed * 1103515245 + 12345) % 2 ** 31;
      return seed / 2 ** 31;
    };
    const bumpy = (c: Candidate) =>
      2 + Math.sin(40 * c.mfuDecode!) * Math.cos(c.TOverheadMicros! / 170) + (c.mfuDecode! - 0.3) ** 2;
    for (let i = 0; i < 8; i++) {
      const s = { mfuDecode: -0.02 + rand() * 0.7, TOverheadMicros: rand() * 3100 };
      for (const method of methods) {
        const r = await search(
          { params, start: s, maxEvals: method === 'grid' ? 40 : 25, method },
          scorer(bumpy),
        );
        expect(r.trace[0]).toEqual({ evaluations: 1, best: bumpy(s) });
        expect(r.bestScore).toBeLessThanOrEqual(bumpy(s));
        expect(r.bestScore).toBe(bumpy(r.best));
        for (let j = 1; j < r.trace.length; j++)
          expect(r.trace[j]!.best).toBeLessThanOrEqual(r.trace[j - 1]!.best);
        expect(r.evaluations).toBeLessThanOrEqual(method === 'grid' ? 41 : 25);
      }
    }
  });

  it('puts the start beside the grid: a full grid that fits the budget is still evaluated whole', async () => {
    const small = [P('a', 0, 1, 0.25), P('b', 0, 2, 1)];
    const r = await search(
      { params: small, start: { a: 0.3, b: 1 }, maxEvals: 15, method: 'auto' },
      scorer((c) => (c.a! - 1) ** 2 + c.b!),
    );
    expect(r.evaluations).toBe(1 + 15);
    expect(r.best).toEqual({ a: 1, b: 0 });
    expect(gridCandidates(small, { a: 0.3, b: 1 })[0]).toEqual({ a: 0.3, b: 1 });
    // A start on the grid is not scored twice.
    const onGrid = gridCandidates(small, { a: 0.25, b: 1 });
    expect(onGrid[0]).toEqual({ a: 0.25, b: 1 });
    expect(onGrid).toHaveLength(15);
    expect(new Set(onGrid.map((c) => JSON.stringify(c)))).toEqual(
      new Set(fullGrid(small).map((c) => JSON.stringify(c))),
    );
  });
});

describe('a field fixed at one value (a pinned --param)', () => {
  // The start lies off the pinned value, as the file's absent physics term (0) does.
  const params = [P('mfuDecode', 0.05, 0.6, 0.025), P('allReduceLinkScale', 1, 1, 1)];
  const start = { mfuDecode: 0.2, allReduceLinkScale: 0 };
  const pinnedBest = (c: Candidate) => (c.mfuDecode! - 0.3) ** 2 + (c.allReduceLinkScale === 1 ? 0 : 1);
  for (const method of ['compass', 'pattern', 'nelder-mead'] as const) {
    it(`${method}: every candidate after the start carries it, and the search finds the optimum there`, async () => {
      const seen: Candidate[] = [];
      const r = await search({ params, start, maxEvals: 40, method }, async (cs) => {
        seen.push(...cs);
        return cs.map(pinnedBest);
      });
      expect(seen[0]).toEqual({ ...start, allReduceLinkScale: 1 });
      expect(seen.every((c) => c.allReduceLinkScale === 1)).toBe(true);
      expect(r.best.allReduceLinkScale).toBe(1);
      expect(r.best.mfuDecode).toBeCloseTo(0.3, 2);
    });

    it(`${method}: the winner holds the pin even when the unpinned start would score best`, async () => {
      // The file's value (0) beats every pinned candidate: the search must still return the pin.
      const offPinBest = (c: Candidate) => (c.allReduceLinkScale === 1 ? 1 + (c.mfuDecode! - 0.3) ** 2 : 0);
      const r = await search({ params, start, maxEvals: 40, method }, async (cs) => cs.map(offPinBest));
      expect(r.best.allReduceLinkScale).toBe(1);
      expect(r.best.mfuDecode).toBeCloseTo(0.3, 2);
    });
  }
});
