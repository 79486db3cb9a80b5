import { describe, expect, it } from 'vitest';
import { computeKnees, findKnee, KNEE_FACTOR, kneeError, type SeriesInput } from '../../src/eval/knee.ts';
import type { PointLoadInfo } from '../../src/eval/knee-types.ts';
import type { ExperimentInfo, PointResult } from '../../src/eval/types.ts';
import { badPoint, META_A, okPoint } from '../support/eval-run.ts';

const s = (point: string, load: number, ttftMs: number | null, overloaded = false): SeriesInput => ({
  point,
  load,
  ttftMs,
  overloaded,
});

describe('findKnee (hand-computed sweeps)', () => {
  it('interpolates between the last point below 3x the lowest-load TTFT and the first above, in log TTFT', () => {
    expect(KNEE_FACTOR).toBe(3);
    // Threshold 3 x 100 = 300 lies between 180 ms at 8 req/s and 1800 ms at 16:
    // 8 + 8 * ln(300/180) / ln(1800/180) = 8 + 8 * 0.510826 / 2.302585 = 9.774794.
    const k = findKnee([s('a', 1, 100), s('b', 2, 110), s('c', 4, 120), s('d', 8, 180), s('e', 16, 1800)]);
    expect(k!.knee.kind).toBe('at');
    expect(k!.knee.load).toBeCloseTo(9.774794, 5);
    expect(k!.referenceTtftMs).toBe(100);
    expect(k!.series.map((p) => p.past)).toEqual([false, false, false, false, true]);
  });

  it('orders the points by load, whatever their order in the file', () => {
    const k = findKnee([s('e', 16, 1800), s('a', 1, 100), s('d', 8, 180)]);
    expect(k!.knee.load).toBeCloseTo(9.774794, 5);
    expect(k!.series.map((p) => p.point)).toEqual(['a', 'd', 'e']);
  });

  it('is censored above the highest load when no point passes 3x (exactly 3x is not past)', () => {
    const k = findKnee([s('a', 1, 50), s('b', 2, 60), s('c', 4, 150)]);
    expect(k!.knee).toEqual({ kind: 'above', load: 4 });
  });

  it('is censored at or below the lowest load when that point is itself overloaded', () => {
    const k = findKnee([s('only', 4, 106_644, true)]);
    expect(k!.knee).toEqual({ kind: 'atOrBelow', load: 4 });
    expect(k!.referenceTtftMs).toBeNull();
  });

  it('puts the knee at the load of a point past it only by its own overload (nothing to interpolate)', () => {
    const k = findKnee([s('a', 2, 30), s('b', 5, 40, true), s('c', 9, 45)]);
    expect(k!.knee).toEqual({ kind: 'at', load: 5 });
  });

  it('puts a simulation stopped as overloaded (no TTFT at any load) somewhere at or below the highest load', () => {
    const k = findKnee([s('a', 2, null, true), s('b', 5, null, true)]);
    expect(k!.knee).toEqual({ kind: 'atOrBelow', load: 5 });
  });

  it('has no knee without a point that carries a TTFT or an overload', () => {
    expect(findKnee([s('a', 2, null)])).toBeNull();
  });
});

describe('kneeError', () => {
  it('is exact where both sides have a knee', () => {
    expect(kneeError({ kind: 'at', load: 100 }, { kind: 'at', load: 150 })).toEqual({
      error: { kind: 'exact', pct: 50 },
      direction: 'later',
    });
    expect(kneeError({ kind: 'at', load: 100 }, { kind: 'at', load: 80 }).direction).toBe('earlier');
  });

  it('is a lower bound when the model finds no knee where the server had one', () => {
    const r = kneeError({ kind: 'at', load: 97 }, { kind: 'above', load: 183 });
    expect(r.error.kind).toBe('atLeast');
    expect((r.error as { pct: number }).pct).toBeCloseTo(100 * (183 / 97 - 1), 9);
    expect(r.direction).toBe('later');
  });

  it('is an upper bound when the model finds a knee the server never reached', () => {
    const r = kneeError({ kind: 'above', load: 10 }, { kind: 'at', load: 8 });
    expect(r.error).toEqual({ kind: 'atMost', pct: expect.closeTo(-20, 9) });
    expect(r.direction).toBe('earlier');
    expect(kneeError({ kind: 'at', load: 10 }, { kind: 'atOrBelow', load: 5 }).error).toEqual({
      kind: 'atMost',
      pct: -50,
    });
  });

  it('says a model keeps up where a server overloaded at its only load (0 % is the bound)', () => {
    expect(kneeError({ kind: 'atOrBelow', load: 4 }, { kind: 'above', load: 4 })).toEqual({
      error: { kind: 'atLeast', pct: 0 },
      direction: 'later',
    });
  });

  it('agrees where both sides are censored the same way', () => {
    expect(kneeError({ kind: 'above', load: 8 }, { kind: 'above', load: 8 }).error).toEqual({
      kind: 'agree',
    });
    expect(kneeError({ kind: 'atOrBelow', load: 4 }, { kind: 'atOrBelow', load: 4 }).direction).toBe('same');
  });
});

describe('computeKnees', () => {
  const info = (name: string, loads: PointLoadInfo[]): ExperimentInfo => ({
    name,
    meta: META_A,
    points: loads.map((l) => l.point),
    loads,
  });
  const rate = (point: string, value: number, failedFraction?: number) => ({
    point,
    kind: 'rate' as const,
    value,
    ...(failedFraction !== undefined && { failedFraction }),
  });

  it('reports sweeps and overloaded one-load runs, skips one-load runs that kept up, summarises per model', () => {
    const experiments = [
      info('sweep', [rate('stage-0', 1), rate('stage-1', 10), rate('stage-2', 20)]),
      info('one-ok', [rate('stage-0', 5)]),
      info('one-failing', [rate('stage-0', 4, 0.85)]),
    ];
    const points: PointResult[] = [
      // Measured 30, 40, 900 ms: knee 10 + 10 * ln(90/40) / ln(900/40) = 10 + 10 * 0.810930 / 3.113515 = 12.604549.
      okPoint('sweep', 'stage-0', 'roofline-v1', { ttft_mean: 30 }, { ttft_mean: 20 }),
      okPoint('sweep', 'stage-1', 'roofline-v1', { ttft_mean: 40 }, { ttft_mean: 30 }),
      okPoint('sweep', 'stage-2', 'roofline-v1', { ttft_mean: 900 }, { ttft_mean: 120 }),
      okPoint('sweep', 'stage-0', 'roofline-v2', { ttft_mean: 30 }, { ttft_mean: 20 }),
      okPoint('sweep', 'stage-1', 'roofline-v2', { ttft_mean: 40 }, { ttft_mean: 21 }),
      okPoint('sweep', 'stage-2', 'roofline-v2', { ttft_mean: 900 }, { ttft_mean: 22 }),
      okPoint('one-ok', 'stage-0', 'roofline-v1', { ttft_mean: 30 }, { ttft_mean: 25 }),
      okPoint('one-ok', 'stage-0', 'roofline-v2', { ttft_mean: 30 }, { ttft_mean: 25 }),
      {
        ...okPoint('one-failing', 'stage-0', 'roofline-v1', { ttft_mean: 1e5 }, { ttft_mean: 9e4 }),
        simTtftGrowth: 40,
      },
      okPoint('one-failing', 'stage-0', 'roofline-v2', { ttft_mean: 1e5 }, { ttft_mean: 60 }),
    ];
    const r = computeKnees(experiments, points, ['roofline-v1', 'roofline-v2']);
    expect(r.experiments.map((x) => x.experiment)).toEqual(['sweep', 'one-failing']);
    expect(r.skippedSingleLoad).toEqual(['one-ok']);
    const sweep = r.experiments[0]!;
    expect(sweep.measured.knee.load).toBeCloseTo(12.604549, 5);
    // roofline-v1: 20, 30, 120 ms: 10 + 10 * ln(60/30) / ln(120/30) = 15.
    const v1 = sweep.predicted[0]!;
    expect(v1.side!.knee.load).toBeCloseTo(15, 9);
    expect(v1.error).toEqual({ kind: 'exact', pct: expect.closeTo(100 * (15 / 12.604549 - 1), 4) });
    expect(sweep.predicted[1]!.side!.knee).toEqual({ kind: 'above', load: 20 });
    const failing = r.experiments[1]!;
    expect(failing.measured.knee).toEqual({ kind: 'atOrBelow', load: 4 });
    expect(failing.predicted.map((p) => p.error?.kind)).toEqual(['agree', 'atLeast']);
    expect(r.models).toEqual([
      {
        latencyModel: 'roofline-v1',
        experiments: 2,
        exact: 1,
        meanAbsErrorPct: expect.closeTo(100 * (15 / 12.604549 - 1), 4),
        later: 1,
        earlier: 0,
        same: 1,
      },
      {
        latencyModel: 'roofline-v2',
        experiments: 2,
        exact: 0,
        meanAbsErrorPct: null,
        later: 2,
        earlier: 0,
        same: 0,
      },
    ]);
  });

  it('reads a stopped simulation as an overload, a model without predictions as n.a., a concurrency sweep on its axis', () => {
    const conc = (point: string, value: number) => ({ point, kind: 'concurrency' as const, value });
    const experiments = [info('closed', [conc('qps-a', 1), conc('qps-b', 8), conc('qps-c', 64)])];
    const stop = 'predicted overload: still busy 900 s into the run';
    const points: PointResult[] = [
      okPoint('closed', 'qps-a', 'blackbox', { ttft_mean: 20 }, { ttft_mean: 20 }),
      okPoint('closed', 'qps-b', 'blackbox', { ttft_mean: 25 }, { ttft_mean: 20 }),
      okPoint('closed', 'qps-c', 'blackbox', { ttft_mean: 200 }, { ttft_mean: 20 }),
      ...['qps-a', 'qps-b', 'qps-c'].map((p) => badPoint('closed', p, 'roofline-v1', 'failed', stop, {})),
      ...['qps-a', 'qps-b', 'qps-c'].map((p) =>
        badPoint('closed', p, 'roofline-v2', 'not_applicable', 'no MFU tables for L40S', {}),
      ),
    ];
    const [x] = computeKnees(experiments, points, ['blackbox', 'roofline-v1', 'roofline-v2']).experiments;
    expect(x!.axis).toBe('concurrency');
    // 8 + 56 * ln(60/25) / ln(200/25) = 8 + 56 * 0.875469 / 2.079442 = 31.576.
    expect(x!.measured.knee.load).toBeCloseTo(8 + (56 * Math.log(60 / 25)) / Math.log(8), 9);
    expect(x!.predicted[1]!.side!.knee).toEqual({ kind: 'atOrBelow', load: 64 });
    expect(x!.predicted[2]).toMatchObject({ side: null, reason: 'no MFU tables for L40S', error: null });
  });
});
