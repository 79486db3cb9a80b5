import { describe, expect, it } from 'vitest';
import { computeStats, errorRows, summaryPoints } from '../../src/eval/stats.ts';
import type { PointResult } from '../../src/eval/types.ts';
import { badPoint, META_A, META_B, okPoint, samplePoints } from '../support/eval-run.ts';

/**
 * Blackbox e2e_mean on three whole-run points: PE +10, −10, +25, so APE 10, 10, 25.
 * A stage point with APE 100 only counts in scope 'all'; n.a. and failed points are counted
 * but carry no error.
 */
function tiny(): PointResult[] {
  return [
    okPoint('a', 'summary', 'blackbox', { e2e_mean: 100 }, { e2e_mean: 110 }),
    okPoint('a', 'stage-0', 'blackbox', { e2e_mean: 50 }, { e2e_mean: 100 }),
    okPoint('b', 'qps-1', 'blackbox', { e2e_mean: 200 }, { e2e_mean: 180 }, META_B),
    okPoint('b', 'qps-2', 'blackbox', { e2e_mean: 400 }, { e2e_mean: 500 }, META_B),
    badPoint('c', 'summary', 'blackbox', 'not_applicable', 'no coefficients', { e2e_mean: 300 }),
    badPoint('d', 'summary', 'blackbox', 'failed', 'boom', { e2e_mean: 300 }),
  ];
}

describe('errorRows', () => {
  it('computes absolute, absolute-percentage and signed errors per measured metric', () => {
    const rows = errorRows(tiny());
    expect(rows).toHaveLength(6);
    expect(rows[0]).toEqual({
      experiment: 'a',
      point: 'summary',
      latencyModel: 'blackbox',
      seed: 42,
      metric: 'e2e_mean',
      measured: 100,
      predicted: 110,
      absError: 10,
      ape: expect.closeTo(10, 12),
      pe: expect.closeTo(10, 12),
      status: 'ok',
      meta: expect.objectContaining({ gpu: 'H100' }),
      workloadMismatch: '',
    });
    expect(rows[5]).toMatchObject({ status: 'failed', reason: 'boom', failureClass: 'failed: boom' });
    expect(rows[2]).toMatchObject({ pe: -10, ape: 10, absError: 20 });
    expect(rows[4]).toMatchObject({
      predicted: null,
      absError: null,
      ape: null,
      pe: null,
      status: 'not_applicable',
    });
    expect(rows[5]?.status).toBe('failed');
  });

  it('keeps METRICS order and leaves APE null where the measured value is 0', () => {
    const p = okPoint(
      'a',
      'summary',
      'roofline-v1',
      { e2e_mean: 0, ttft_mean: 10 },
      { e2e_mean: 5, ttft_mean: 12 },
    );
    const rows = errorRows([p]);
    expect(rows.map((r) => r.metric)).toEqual(['ttft_mean', 'e2e_mean']);
    expect(rows[1]).toMatchObject({ predicted: 5, absError: 5, ape: null, pe: null });
  });
});

describe('computeStats', () => {
  it('matches hand-computed statistics on the whole-run points', () => {
    const stats = computeStats(tiny());
    expect(stats.models).toHaveLength(1);
    const m = stats.models[0]!;
    expect(m.latencyModel).toBe('blackbox');
    expect(m.counts).toEqual({ ok: 3, notApplicable: 1, failed: 1 });
    expect(m.metrics.map((s) => s.metric)).toEqual(['e2e_mean']);
    const s = m.metrics[0]!;
    expect(s.n).toBe(3);
    expect(s.mape).toBeCloseTo(15, 10);
    expect(s.medianApe).toBeCloseTo(10, 10);
    expect(s.meanPe).toBeCloseTo(25 / 3, 10);
    // Linear interpolation: index (3 − 1) × 0.9 = 1.8 between 10 and 25.
    expect(s.p90Ape).toBeCloseTo(22, 10);
    expect(s.maxApe).toBeCloseTo(25, 10);
  });

  it('leaves out experiments whose server failed > 5 % of requests unless told to count them', () => {
    const point = (name: string, predicted: number, failedFraction: number) =>
      okPoint(
        name,
        'summary',
        'blackbox',
        { e2e_mean: 100 },
        { e2e_mean: predicted },
        {
          ...META_A,
          failedFraction,
        },
      );
    const failing = point('e', 1000, 0.4);
    const barely = point('f', 115, 0.05);
    const points = [...tiny(), failing, barely];
    const def = computeStats(points);
    expect(def.leftOut).toEqual(['e']);
    expect(def.models[0]!.metrics[0]!.n).toBe(4);
    expect(def.models[0]!.metrics[0]!.mape).toBeCloseTo((10 + 10 + 25 + 15) / 4, 10);
    const all = computeStats(points, { includeFailing: true });
    expect(all.leftOut).toEqual([]);
    expect(all.models[0]!.metrics[0]!.n).toBe(5);
    expect(computeStats(tiny()).leftOut).toEqual([]);
  });

  it("counts stage points only in scope 'all'", () => {
    const headline = computeStats(tiny()).models[0]!;
    const all = computeStats(tiny(), { scope: 'all' }).models[0]!;
    expect(all.counts.ok).toBe(4);
    expect(all.metrics[0]!.n).toBe(4);
    expect(all.metrics[0]!.mape).toBeCloseTo((10 + 100 + 10 + 25) / 4, 10);
    expect(headline.metrics[0]!.maxApe).toBeCloseTo(25, 10);
    expect(summaryPoints(tiny()).map((p) => p.point)).toEqual([
      'summary',
      'qps-1',
      'qps-2',
      'summary',
      'summary',
    ]);
  });

  it('gives a deterministic bootstrap CI that brackets the MAPE', () => {
    const a = computeStats(samplePoints());
    const b = computeStats(samplePoints());
    expect(a).toEqual(b);
    for (const m of a.models) {
      for (const s of m.metrics) {
        if (s.n < 2) {
          expect(s.ci95).toBeNull();
          continue;
        }
        const [lo, hi] = s.ci95!;
        expect(lo).toBeLessThanOrEqual(s.mape);
        expect(hi).toBeGreaterThanOrEqual(s.mape);
      }
    }
    const other = computeStats(samplePoints(), { seed: 7 });
    expect(other.models[0]!.metrics[0]!.ci95).not.toEqual(a.models[0]!.metrics[0]!.ci95);
  });

  it('orders latency models canonically and breaks down by model, gpu, tp and family', () => {
    const stats = computeStats(samplePoints());
    expect(stats.models.map((m) => m.latencyModel)).toEqual(['blackbox', 'roofline-v1', 'roofline-v2']);
    const v2 = stats.models[2]!;
    expect(v2.counts).toEqual({ ok: 1, notApplicable: 1, failed: 1 });
    expect(v2.metrics[0]!.n).toBe(1);
    const keys = (by: string) => [...new Set(stats.breakdowns.filter((g) => g.by === by).map((g) => g.key))];
    expect(keys('model')).toEqual([META_A.model, META_B.model]);
    expect(keys('gpu')).toEqual(['A100', 'H100']);
    expect(keys('tp')).toEqual(['1', '2']);
    expect(keys('family')).toEqual(['codegen', 'general']);
    const h100v2 = stats.breakdowns.find(
      (g) => g.by === 'gpu' && g.key === 'H100' && g.latencyModel === 'roofline-v2',
    );
    expect(h100v2?.counts).toEqual({ ok: 0, notApplicable: 1, failed: 0 });
    expect(h100v2?.metrics).toEqual([]);
  });

  it('sorts tp groups numerically', () => {
    const pts = [2, 10, 1].map((tp) =>
      okPoint(`e${tp}`, 'summary', 'blackbox', { e2e_mean: 1 }, { e2e_mean: 1 }, { ...META_A, tp }),
    );
    const keys = computeStats(pts)
      .breakdowns.filter((g) => g.by === 'tp')
      .map((g) => g.key);
    expect(keys).toEqual(['1', '2', '10']);
  });
});
