import { describe, expect, it } from 'vitest';
import { failureClass, outlierMetric, outliers, worstMetric } from '../../src/eval/failure-class.ts';
import { computeStats } from '../../src/eval/stats.ts';
import type { PointResult } from '../../src/eval/types.ts';
import { badPoint, okPoint } from '../support/eval-run.ts';

const e2e = (v: number) => ({ e2e_mean: v });

/**
 * roofline-v1 and roofline-v2 run all five experiments; blackbox runs only a, b and c (no
 * coefficients for d and e), where it is the least accurate: the shipped set's shape.
 * blackbox's APEs 30, 20, 25 against roofline-v1's 5, 5, 10 on a, b, c.
 */
function points(): PointResult[] {
  const measured = [100, 200, 300, 400, 500];
  const v1 = [105, 210, 330, 440, 450]; // 5, 5, 10, 10, 10
  const v2 = [110, 220, 270, 400, 500]; // 10, 10, 10, 0, 0
  const bb = [130, 240, 375]; // 30, 20, 25
  return ['a', 'b', 'c', 'd', 'e'].flatMap((x, i) => [
    i < 3
      ? okPoint(x, 'summary', 'blackbox', e2e(measured[i]!), e2e(bb[i]!))
      : badPoint(x, 'summary', 'blackbox', 'not_applicable', 'no coefficients', e2e(measured[i]!)),
    okPoint(x, 'summary', 'roofline-v1', e2e(measured[i]!), e2e(v1[i]!)),
    okPoint(x, 'summary', 'roofline-v2', e2e(measured[i]!), e2e(v2[i]!)),
  ]);
}

describe('the fair comparison', () => {
  it('heads on the models that cover the experiments, not on the points of the least-covered', () => {
    const c = computeStats(points()).common;
    expect(c.models).toEqual(['roofline-v1', 'roofline-v2']);
    expect(c.experiments).toEqual(['a', 'b', 'c', 'd', 'e']);
    expect(c.points).toBe(5);
    expect(c.lowCoverage).toEqual(['blackbox']);
    expect(c.scope).toEqual({ points: 5, experiments: 5 });
    expect(c.coverage).toEqual([
      { latencyModel: 'roofline-v1', points: 5, experiments: 5 },
      { latencyModel: 'roofline-v2', points: 5, experiments: 5 },
      { latencyModel: 'blackbox', points: 3, experiments: 3 },
    ]);
    const v = c.verdicts.find((x) => x.metric === 'e2e_mean')!;
    expect(v).toMatchObject({
      ranked: true,
      best: 'roofline-v2',
      runnerUp: 'roofline-v1',
      n: 5,
      experiments: 5,
    });
    expect(v.bestMape).toBeCloseTo(6);
    expect(v.gapPp).toBeCloseTo(2);
    // The headline's statistics are the models' own where they cover everything.
    const own = computeStats(points()).models.find((m) => m.latencyModel === 'roofline-v1')!;
    expect(c.stats.find((m) => m.latencyModel === 'roofline-v1')!.metrics[0]!.mape).toBe(
      own.metrics[0]!.mape,
    );
  });

  it('gives a low-coverage model a paired line against each other model, on the points both ran', () => {
    const c = computeStats(points()).common;
    expect(c.pairs.map((p) => p.models)).toEqual([
      ['blackbox', 'roofline-v1'],
      ['blackbox', 'roofline-v2'],
    ]);
    const pair = c.pairs[0]!;
    expect(pair.experiments).toEqual(['a', 'b', 'c']);
    expect(pair.points).toBe(3);
    const v = pair.verdicts.find((x) => x.metric === 'e2e_mean')!;
    expect(v).toMatchObject({ ranked: true, best: 'roofline-v1', runnerUp: 'blackbox', n: 3 });
    expect(v.bestMape).toBeCloseTo(20 / 3);
    expect(v.gapPp).toBeCloseTo(25 - 20 / 3);
    // Paired gaps 25, 15 and 15: every resample's mean lies in [15, 25].
    expect(v.gapCi95![0]).toBeGreaterThanOrEqual(15);
    expect(v.gapCi95![1]).toBeLessThanOrEqual(25);
  });

  it("admits models while the common points stay at least 80 % of the best-covered model's", () => {
    // Ten experiments: roofline-v1 runs all, roofline-v2 misses x0, trained-physics x1, blackbox
    // x2 and x3. The first three keep 8 points together (80 %); blackbox alone covers 8 too, but
    // with them it would leave 6.
    const miss: Record<string, string[]> = {
      'roofline-v2': ['x0'],
      'trained-physics': ['x1'],
      blackbox: ['x2', 'x3'],
    };
    const pts = Array.from({ length: 10 }, (_, i) => `x${i}`).flatMap((x) =>
      (['blackbox', 'roofline-v1', 'roofline-v2', 'trained-physics'] as const).map((m) =>
        miss[m]?.includes(x)
          ? badPoint(x, 'summary', m, 'failed', 'boom', e2e(100))
          : okPoint(x, 'summary', m, e2e(100), e2e(110)),
      ),
    );
    const c = computeStats(pts).common;
    expect(c.models).toEqual(['roofline-v1', 'roofline-v2', 'trained-physics']);
    expect(c.points).toBe(8);
    expect(c.lowCoverage).toEqual(['blackbox']);
    expect(c.pairs.map((p) => [p.models[1], p.points])).toEqual([
      ['roofline-v1', 8],
      ['roofline-v2', 7],
      ['trained-physics', 7],
    ]);
  });

  it('compares two low-coverage models with each other once', () => {
    const pts = points().map((p) =>
      p.latencyModel === 'roofline-v2' && p.experiment >= 'c'
        ? badPoint(p.experiment, 'summary', 'roofline-v2', 'not_applicable', 'no tables', p.measured)
        : p,
    );
    const c = computeStats(pts).common;
    expect(c.models).toEqual(['roofline-v1']);
    expect(c.lowCoverage).toEqual(['blackbox', 'roofline-v2']);
    expect(c.pairs.map((p) => p.models)).toEqual([
      ['blackbox', 'roofline-v1'],
      ['blackbox', 'roofline-v2'],
      ['roofline-v2', 'roofline-v1'],
    ]);
  });

  it('ranks nothing on fewer than 3 experiments, however many points', () => {
    const qps = (m: 'blackbox' | 'roofline-v1', x: string, pred: number[]) =>
      [100, 200, 300].map((v, i) => okPoint(x, `qps-${i + 1}`, m, e2e(v), e2e(pred[i]!)));
    const two = [
      ...qps('blackbox', 'a', [150, 300, 450]),
      ...qps('roofline-v1', 'a', [101, 202, 303]),
      ...qps('blackbox', 'b', [150, 300, 450]),
      ...qps('roofline-v1', 'b', [101, 202, 303]),
    ];
    const v = computeStats(two).common.verdicts.find((x) => x.metric === 'e2e_mean')!;
    expect(v).toMatchObject({ ranked: false, best: null, runnerUp: null, gapPp: null, n: 6, experiments: 2 });
    expect(v.mapes.map((m) => m.latencyModel)).toEqual(['roofline-v1', 'blackbox']);
    expect(v.mapes[0]!.mape).toBeCloseTo(1);
    const three = [
      ...two,
      ...qps('blackbox', 'c', [150, 300, 450]),
      ...qps('roofline-v1', 'c', [101, 202, 303]),
    ];
    expect(computeStats(three).common.verdicts[0]).toMatchObject({ ranked: true, best: 'roofline-v1' });
  });

  it('leaves out a model with no ok point and names it', () => {
    const pts = [
      ...points().filter((p) => p.latencyModel === 'roofline-v1'),
      badPoint('a', 'summary', 'trained-physics', 'not_applicable', 'no config', e2e(100)),
    ];
    const s = computeStats(pts);
    expect(s.common.models).toEqual(['roofline-v1']);
    expect(s.common.excluded).toEqual(['trained-physics']);
    expect(s.common.pairs).toEqual([]);
    expect(s.common.verdicts[0]).toMatchObject({ best: 'roofline-v1', runnerUp: null, gapPp: null });
  });
});

describe('failure classes', () => {
  const overloaded = (growth: number, predicted: number): PointResult => ({
    ...okPoint('a', 'summary', 'roofline-v1', { ttft_mean: 50 }, { ttft_mean: predicted }),
    simTtftGrowth: growth,
  });

  it('calls a point "predicted overload" when the simulated queue grows and TTFT is far over', () => {
    expect(failureClass(overloaded(40, 5000))).toBe('predicted overload');
    // A queue that grows but a TTFT near the measured one: the server saw the same queue.
    expect(failureClass(overloaded(40, 60))).toBeNull();
    // A stable simulated queue that is merely slow is not an overload.
    expect(failureClass(overloaded(1.1, 5000))).toBeNull();
  });

  it('names a workload mismatch before an overload: the replay, not the model, is off', () => {
    const sent = { completed: 4800, promptMean: 1082, outputMean: 1100, requestsPerSec: 1.64 };
    const replay = {
      sent,
      measured: { ...sent, completed: 732, requestsPerSec: 0.49 },
      mismatch: ['completed' as const, 'requestsPerSec' as const],
    };
    const p = { ...overloaded(40, 5000), replay };
    expect(failureClass(p)).toBe('workload mismatch (completed, requestsPerSec)');
    expect(failureClass({ ...p, replay: { ...replay, mismatch: [] } })).toBe('predicted overload');
    // Requests/s alone is the simulation's pace too: an overloaded simulation finishes late.
    const pace = { ...replay, mismatch: ['requestsPerSec' as const] };
    expect(failureClass({ ...p, replay: pace })).toBe('predicted overload');
    expect(failureClass({ ...overloaded(1, 60), replay: pace })).toBe('workload mismatch (requestsPerSec)');
  });

  it('names a run whose server failed requests first: its latencies are censored', () => {
    const p = overloaded(40, 5000);
    const failing = (failedFraction: number) => ({ ...p, meta: { ...p.meta, failedFraction } });
    expect(failureClass(failing(0.8475))).toBe('server failed 84.8 % of requests');
    // A few failures (5 % or less) leave the measurement usable.
    expect(failureClass(failing(0.05))).toBe('predicted overload');
  });

  it('labels failed points with their reason, and drain-limit failures as predicted overload', () => {
    const f = (reason: string) => badPoint('a', 'summary', 'roofline-v1', 'failed', reason, e2e(1));
    expect(failureClass(f('predicted overload: still busy 900 s into the run'))).toBe('predicted overload');
    expect(failureClass(f('KV pool exhausted\nwith nothing running; stopped'))).toBe(
      'failed: KV pool exhausted with nothing running',
    );
    expect(outliers([f('x'), overloaded(40, 5000), overloaded(1, 60)])).toHaveLength(2);
  });

  // The kubecon shape: the server's TTFT climbs to seconds, the simulation's stays near 25 ms.
  const ttft = (measured: number, predicted: number, growth = 1): PointResult => ({
    ...okPoint(
      'k',
      'summary',
      'roofline-v1',
      { ttft_mean: measured, e2e_mean: 3000 },
      { ttft_mean: predicted, e2e_mean: 2900 },
    ),
    simTtftGrowth: growth,
  });

  it('calls a too-fast TTFT "predicted underload" and counts it an outlier, as far as a too-slow one', () => {
    const under = ttft(2617, 24.8);
    expect(failureClass(under)).toBe('predicted underload');
    expect(outliers([under])).toEqual([under]);
    expect(outlierMetric(under)).toMatchObject({ metric: 'ttft_mean', measured: 2617, predicted: 24.8 });
    expect(outlierMetric(under)!.ratio).toBeCloseTo(24.8 / 2617);
    // Symmetric: 1/4 and 4x are both outliers; 0.6x and 1.9x are not.
    const e2eOnly = (predicted: number) => okPoint('k', 'summary', 'blackbox', e2e(100), e2e(predicted));
    expect(
      outliers([e2eOnly(25), e2eOnly(400), e2eOnly(60), e2eOnly(190)]).map((p) => p.predicted.e2e_mean),
    ).toEqual([25, 400]);
    // An under-predicted ITL alone is an outlier without a class; a TTFT at 0.6x is neither.
    expect(failureClass(e2eOnly(25))).toBeNull();
    expect(failureClass(ttft(50, 30))).toBeNull();
    // A growing simulated queue is not an underload, whatever the ratio says.
    expect(failureClass(ttft(2617, 24.8, 5))).toBeNull();
    // The worst metric is the farthest on a log scale: x0.1 beats x5.
    const both = okPoint(
      'k',
      'summary',
      'blackbox',
      { ttft_mean: 100, e2e_mean: 100 },
      { ttft_mean: 500, e2e_mean: 10 },
    );
    expect(worstMetric(both)).toMatchObject({ metric: 'e2e_mean', ratio: 0.1 });
  });

  it('lists the stage of a one-stage experiment once, as its summary', () => {
    const stage = (point: string) => ({ ...ttft(2617, 24.8), point });
    const one = [stage('summary'), stage('stage-0')];
    expect(outliers(one).map((p) => p.point)).toEqual(['summary']);
    const two = [...one, stage('stage-1')];
    expect(outliers(two).map((p) => p.point)).toEqual(['summary', 'stage-0', 'stage-1']);
  });
});
