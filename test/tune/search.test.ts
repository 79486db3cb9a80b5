import { describe, expect, it } from 'vitest';
import { InputError } from '../../src/errors.ts';
import type { Experiment } from '../../src/groundtruth/experiment.ts';
import { makeFolds, parseCv } from '../../src/tune/folds.ts';
import { type Candidate, fullGrid, search } from '../../src/tune/search.ts';
import { parseParamFlag } from '../../src/tune/space.ts';
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
