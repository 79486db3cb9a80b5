import { describe, expect, it } from 'vitest';
import { compareRecords, halfWidth, hasRegression, judgeMetric, noiseOf } from '../../src/nightly/compare.ts';
import { buildRecord } from '../../src/nightly/record.ts';
import type { HistoryRecord } from '../../src/nightly/schema.ts';
import { samplePoints, sampleRun } from '../support/eval-run.ts';

const stat = (mape: number, ci95: [number, number] | null = null) => ({ mape, ci95 });

/** A copy of `r` with one metric's MAPE and CI replaced. */
function withMape(r: HistoryRecord, lm: string, metric: string, mape: number, ci95: [number, number] | null) {
  const copy: HistoryRecord = structuredClone(r);
  const s = copy.models.find((m) => m.latencyModel === lm)!.metrics.find((x) => x.metric === metric)!;
  s.mape = mape;
  s.ci95 = ci95;
  return copy;
}

function withoutApes(r: HistoryRecord): HistoryRecord {
  return { ...r, points: r.points.map(({ apes: _, ...p }) => p) };
}

/** A copy of `r` where every whole-run point's APE of `metric` under `lm` is moved by `by` pp. */
function shifted(r: HistoryRecord, lm: string, metric: 'e2e_mean', by: (i: number) => number) {
  const copy: HistoryRecord = structuredClone(r);
  copy.points
    .filter((p) => p.latencyModel === lm && p.apes?.[metric] !== undefined && !p.point.startsWith('stage'))
    .forEach((p, i) => {
      p.apes![metric]! += by(i);
    });
  return copy;
}

describe('the paired rule (records with per-point APEs)', () => {
  const base = buildRecord(sampleRun());

  it('judges the median per-point change with its paired bootstrap CI, not the MAPE', () => {
    // Both blackbox whole-run points 30 pp worse: a regression whatever the MAPE fields say.
    const worse = shifted(base, 'blackbox', 'e2e_mean', () => 30);
    const d = compareRecords(base, worse, ['e2e_mean'], 2).metrics.find(
      (x) => x.latencyModel === 'blackbox',
    )!;
    expect(d.paired).toMatchObject({ median: 30, n: 3, ci95: [30, 30] });
    expect(d.verdict).toBe('regression');
    expect(compareRecords(base, base, ['e2e_mean'], 2).regressions).toEqual([]);
  });

  it('one outlier point cannot make a regression: its median does not move', () => {
    const outlier = shifted(base, 'blackbox', 'e2e_mean', (i) => (i === 0 ? 5000 : 0));
    const c = compareRecords(base, outlier, ['e2e_mean'], 2);
    expect(c.metrics.find((x) => x.latencyModel === 'blackbox')).toMatchObject({
      verdict: 'unchanged',
      paired: { median: 0 },
    });
  });
});

describe('the metric rule', () => {
  it('takes the CI half-width, null without a CI, and the smaller one of the CIs that exist as noise', () => {
    expect(halfWidth([10, 14])).toBe(2);
    expect(halfWidth(null)).toBeNull();
    expect(noiseOf([10, 14], [0, 100])).toBe(2);
    expect(noiseOf([0, 100], [10, 14])).toBe(2);
    expect(noiseOf(null, [0, 100])).toBe(50);
    expect(noiseOf(null, null)).toBe(0);
  });

  it('regresses only beyond max-regression plus the smaller half-width', () => {
    // half-widths 1 (baseline) and 3 (now): margin = 2 + 1 = 3.
    const base = stat(10, [9, 11]);
    expect(judgeMetric(base, stat(13, [10, 16]), 2)).toEqual({
      delta: 3,
      noise: 1,
      margin: 3,
      verdict: 'unchanged',
    });
    expect(judgeMetric(base, stat(13.01, [10.01, 16.01]), 2).verdict).toBe('regression');
    // A regression that widens tonight's CI cannot hide inside it.
    expect(judgeMetric(stat(54, [15, 125]), stat(377, [55, 859]), 2)).toMatchObject({
      noise: 55,
      verdict: 'regression',
    });
    // Without a CI in one run, the other's counts.
    expect(judgeMetric(stat(10, [7, 13]), stat(14.9, null), 2).verdict).toBe('unchanged');
    expect(judgeMetric(stat(10, [7, 13]), stat(15.1, null), 2).verdict).toBe('regression');
  });

  it('treats a fall by more than the margin as an improvement, and is symmetric', () => {
    expect(judgeMetric(stat(20), stat(17.9), 2).verdict).toBe('improvement');
    expect(judgeMetric(stat(20), stat(18), 2).verdict).toBe('unchanged');
    expect(judgeMetric(stat(20), stat(22), 2).verdict).toBe('unchanged');
    expect(judgeMetric(stat(20), stat(22.1), 2).verdict).toBe('regression');
    expect(judgeMetric(stat(377, [55, 859]), stat(54, [15, 125]), 2).verdict).toBe('improvement');
  });

  it('with --max-regression 0 and no CIs any rise counts', () => {
    expect(judgeMetric(stat(20), stat(20.001), 0).verdict).toBe('regression');
    expect(judgeMetric(stat(20), stat(20), 0).verdict).toBe('unchanged');
  });
});

describe('compareRecords', () => {
  // Without per-point APEs, as records written before they existed: the CI rule applies.
  const base = withoutApes(buildRecord(sampleRun()));

  it('finds nothing between a record and itself', () => {
    const c = compareRecords(base, structuredClone(base), ['e2e_mean', 'ttft_mean'], 2);
    expect(hasRegression(c)).toBe(false);
    expect(c.metrics.length).toBeGreaterThan(0);
    expect(c.metrics.every((d) => d.verdict === 'unchanged' && d.delta === 0)).toBe(true);
    expect(c.changedInputs).toEqual([]);
  });

  it('names the metric that got worse and the one that got better, gated metrics only', () => {
    let now = withMape(base, 'roofline-v1', 'e2e_mean', 80, [70, 90]);
    now = withMape(now, 'blackbox', 'ttft_mean', 0.5, null);
    now = withMape(now, 'blackbox', 'itl_mean', 500, null); // not gated below
    const b = withMape(
      withMape(base, 'roofline-v1', 'e2e_mean', 20, [18, 22]),
      'blackbox',
      'ttft_mean',
      9,
      null,
    );
    const c = compareRecords(b, now, ['e2e_mean', 'ttft_mean'], 2);
    expect(c.regressions.map((d) => [d.latencyModel, d.metric, d.delta, d.margin])).toEqual([
      ['roofline-v1', 'e2e_mean', 60, 4],
    ]);
    expect(c.improvements.map((d) => `${d.latencyModel} ${d.metric}`)).toEqual(['blackbox ttft_mean']);
    expect(hasRegression(c)).toBe(true);
  });

  it('flags a point that was ok and now fails or is not applicable, and lists points that recovered', () => {
    const now = structuredClone(base);
    const okV1 = now.points.find((p) => p.latencyModel === 'roofline-v1' && p.status === 'ok')!;
    okV1.status = 'failed';
    const okBb = now.points.find((p) => p.latencyModel === 'blackbox' && p.status === 'ok')!;
    okBb.status = 'not_applicable';
    const bad = now.points.find((p) => p.status === 'failed' && p !== okV1)!;
    bad.status = 'ok';
    const c = compareRecords(base, now, ['e2e_mean'], 1000);
    expect(c.regressions).toEqual([]);
    expect(c.pointRegressions.map((p) => [p.experiment, p.point, p.latencyModel, p.from, p.to])).toEqual([
      [okBb.experiment, okBb.point, 'blackbox', 'ok', 'not_applicable'],
      [okV1.experiment, okV1.point, 'roofline-v1', 'ok', 'failed'],
    ]);
    expect(c.pointImprovements.map((p) => [p.from, p.to])).toEqual([['failed', 'ok']]);
    expect(hasRegression(c)).toBe(true);
  });

  it('does not judge points or models present in only one record, and names changed inputs', () => {
    const smaller = buildRecord(sampleRun(samplePoints().filter((p) => p.experiment === 'exp-a')));
    const now = structuredClone(smaller);
    now.inputs.hardwareConfig.sha256 = 'f'.repeat(64);
    now.models = now.models.filter((m) => m.latencyModel !== 'roofline-v1');
    const c = compareRecords(base, now, ['e2e_mean'], 1000);
    expect(c.pointRegressions).toEqual([]);
    expect(c.metrics.map((d) => d.latencyModel)).toEqual(['blackbox']);
    expect(c.changedInputs).toEqual(['hardwareConfig']);
  });
});
