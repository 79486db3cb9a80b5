import { describe, expect, it } from 'vitest';
import { failureClass, outliers } from '../../src/eval/failure-class.ts';
import { computeStats } from '../../src/eval/stats.ts';
import type { PointResult } from '../../src/eval/types.ts';
import { badPoint, okPoint } from '../support/eval-run.ts';

const e2e = (v: number) => ({ e2e_mean: v });

/**
 * blackbox runs experiments a and b only; roofline-v1 runs a, b and a saturated c where its
 * error is huge. Over all points roofline-v1 looks worst; on the common set (a, b) it is best.
 */
function points(): PointResult[] {
  return [
    okPoint('a', 'summary', 'blackbox', e2e(100), e2e(130)), // APE 30
    okPoint('a', 'summary', 'roofline-v1', e2e(100), e2e(105)), // 5
    okPoint('b', 'summary', 'blackbox', e2e(200), e2e(240)), // 20
    okPoint('b', 'summary', 'roofline-v1', e2e(200), e2e(210)), // 5
    badPoint('c', 'summary', 'blackbox', 'not_applicable', 'no coefficients', e2e(300)),
    okPoint('c', 'summary', 'roofline-v1', e2e(300), e2e(3300)), // 1000
  ];
}

describe('the fair comparison', () => {
  it('compares models on the points every model ran, and names the best with its lead', () => {
    const s = computeStats(points());
    const all = (m: string) => s.models.find((x) => x.latencyModel === m)!.metrics[0]!.mape;
    expect(all('blackbox')).toBeCloseTo(25);
    expect(all('roofline-v1')).toBeCloseTo(1010 / 3);
    expect(s.common.models).toEqual(['blackbox', 'roofline-v1']);
    expect(s.common.experiments).toEqual(['a', 'b']);
    expect(s.common.points).toBe(2);
    const v = s.common.verdicts.find((x) => x.metric === 'e2e_mean')!;
    expect(v).toMatchObject({ best: 'roofline-v1', runnerUp: 'blackbox', n: 2 });
    expect(v.bestMape).toBeCloseTo(5);
    expect(v.gapPp).toBeCloseTo(20);
    // Paired gaps 25 and 15: every resample's mean lies in [15, 25].
    expect(v.gapCi95![0]).toBeGreaterThanOrEqual(15);
    expect(v.gapCi95![1]).toBeLessThanOrEqual(25);
  });

  it('leaves out a model with no ok point and names it', () => {
    const pts = [
      ...points().filter((p) => p.latencyModel === 'roofline-v1'),
      badPoint('a', 'summary', 'roofline-v2', 'not_applicable', 'no MFU tables', e2e(100)),
    ];
    const s = computeStats(pts);
    expect(s.common.models).toEqual(['roofline-v1']);
    expect(s.common.excluded).toEqual(['roofline-v2']);
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
});
