import { median } from 'simple-statistics';
import { bootstrapCi } from '../eval/error-math.ts';
import { isHeadlinePoint } from '../eval/stats.ts';
import type { PointStatus } from '../eval/types.ts';
import type { Metric } from '../groundtruth/experiment.ts';
import type { LatencyModelName } from '../latency/types.ts';
import { type HistoryRecord, INPUT_LABELS, type InputName, type MetricRecord, pointKey } from './schema.ts';

/**
 * The gate: which metrics and points got worse between a baseline record and tonight's. Pure.
 *
 * Metric rule (MAPE in percentage points, pp): with delta = MAPE_now − MAPE_baseline and
 * noise = the smaller of the two runs' bootstrap 95 % CI half-widths (a run without a CI, i.e.
 * with fewer than 2 points, does not count; 0 when neither has one), a metric REGRESSED when
 * delta > max-regression + noise and IMPROVED when delta < −(max-regression + noise); otherwise
 * it is unchanged.
 *
 * Why the smaller half-width: a CI says how much a MAPE rests on a few points, the sampling
 * noise a change must clear. But when a model breaks, its APEs spread with the breakage, so the
 * broken run's CI widens with the very regression it should reveal (on the shipped ground truth,
 * halving H100 mfuDecode moves roofline-v1 e2e_mean from 54 % [15, 125] to 377 % [55, 859]: the
 * larger half-width, 402 pp, would hide a 323 pp rise). The run that behaves gives the noise level.
 *
 * Point rule: a point (experiment, point, latency model, seed) that was ok in the baseline and
 * is failed or not_applicable now is a regression; one that was not ok and is ok now is an
 * improvement. Points present in only one of the two records (ground truth changed) are not
 * judged.
 */
export const PAIRED_RULE =
  'A metric regresses when the median of its per-point APE changes (tonight − baseline, on the whole-run ' +
  'points ok in both runs) exceeds max-regression and the paired bootstrap 95 % CI of that median lies ' +
  'above 0; it improves when the median falls below −max-regression with the CI below 0. One ' +
  'outlier point cannot move a median, so the margin does not grow with the outliers. Records without ' +
  'per-point APEs fall back to: ';

export const COMPARISON_RULE =
  'A metric regresses when MAPE_now − MAPE_baseline > max-regression + noise and improves when it ' +
  "falls by more than the same margin; noise = the smaller of the two runs' bootstrap 95 % CI " +
  'half-widths ((hi − lo) / 2, pp; a run without a CI does not count, 0 if neither has one). A point ' +
  'that was ok and is now failed or not applicable is a regression.';

export type Verdict = 'regression' | 'improvement' | 'unchanged';

export interface MetricDelta {
  latencyModel: LatencyModelName;
  metric: Metric;
  baseline: number;
  now: number;
  /** now − baseline, pp. */
  delta: number;
  /** The smaller of the two CI half-widths, pp. */
  noise: number;
  /** max-regression + noise: how far the MAPE may move without counting. */
  margin: number;
  verdict: Verdict;
  /** The paired rule: median per-point APE change (pp), its bootstrap CI and the pairs; absent = CI rule. */
  paired?: { median: number; ci95: [number, number]; n: number };
}

export interface PointChange {
  experiment: string;
  point: string;
  latencyModel: LatencyModelName;
  seed: number;
  from: PointStatus;
  to: PointStatus;
}

export interface Comparison {
  maxRegression: number;
  /** Every (latency model, metric) measured in both records, in tonight's order. */
  metrics: MetricDelta[];
  regressions: MetricDelta[];
  improvements: MetricDelta[];
  pointRegressions: PointChange[];
  pointImprovements: PointChange[];
  /** Inputs whose content hash differs from the baseline's: the likely cause of a change. */
  changedInputs: InputName[];
}

export function halfWidth(ci: [number, number] | null): number | null {
  return ci === null ? null : (ci[1] - ci[0]) / 2;
}

/** The smaller half-width of the CIs that exist; 0 when neither run has one. */
export function noiseOf(a: [number, number] | null, b: [number, number] | null): number {
  const widths = [halfWidth(a), halfWidth(b)].filter((w) => w !== null);
  return widths.length === 0 ? 0 : Math.min(...widths);
}

/** The metric rule on one pair of statistics. */
export function judgeMetric(
  base: Pick<MetricRecord, 'mape' | 'ci95'>,
  now: Pick<MetricRecord, 'mape' | 'ci95'>,
  maxRegression: number,
): { delta: number; noise: number; margin: number; verdict: Verdict } {
  const delta = now.mape - base.mape;
  const noise = noiseOf(base.ci95, now.ci95);
  const margin = maxRegression + noise;
  const verdict = delta > margin ? 'regression' : delta < -margin ? 'improvement' : 'unchanged';
  return { delta, noise, margin, verdict };
}

/** Per-point APE changes (now − baseline) of one model and metric, on whole-run points ok in both. */
export function pairedChanges(
  base: HistoryRecord,
  now: HistoryRecord,
  latencyModel: LatencyModelName,
  metric: Metric,
): number[] {
  const before = new Map(base.points.map((p) => [pointKey(p), p]));
  const out: number[] = [];
  for (const p of now.points) {
    if (p.latencyModel !== latencyModel || !isHeadlinePoint(p.point)) continue;
    const a = before.get(pointKey(p))?.apes?.[metric];
    const b = p.apes?.[metric];
    if (a !== undefined && b !== undefined) out.push(b - a);
  }
  return out;
}

const medianOf = (xs: number[]) => median(xs);

/**
 * The paired rule where both records carry per-point APEs for 2 or more common points: the
 * median change must clear max-regression and its bootstrap CI must exclude 0.
 */
export function judgePaired(
  changes: readonly number[],
  maxRegression: number,
): { median: number; ci95: [number, number]; verdict: Verdict } | null {
  const ci95 = bootstrapCi(changes, 1000, 1, medianOf);
  if (ci95 === null) return null;
  const m = median([...changes]);
  const verdict =
    m > maxRegression && ci95[0] > 0
      ? 'regression'
      : m < -maxRegression && ci95[1] < 0
        ? 'improvement'
        : 'unchanged';
  return { median: m, ci95, verdict };
}

function metricDeltas(base: HistoryRecord, now: HistoryRecord, metrics: readonly Metric[], maxReg: number) {
  const out: MetricDelta[] = [];
  for (const m of now.models) {
    const b = base.models.find((x) => x.latencyModel === m.latencyModel);
    if (b === undefined) continue;
    for (const metric of metrics) {
      const sn = m.metrics.find((s) => s.metric === metric);
      const sb = b.metrics.find((s) => s.metric === metric);
      if (sn === undefined || sb === undefined) continue;
      const byCi = judgeMetric(sb, sn, maxReg);
      const changes = pairedChanges(base, now, m.latencyModel, metric);
      const paired = judgePaired(changes, maxReg);
      out.push({
        latencyModel: m.latencyModel,
        metric,
        baseline: sb.mape,
        now: sn.mape,
        ...(paired === null
          ? byCi
          : {
              delta: byCi.delta,
              noise: (paired.ci95[1] - paired.ci95[0]) / 2,
              margin: maxReg,
              verdict: paired.verdict,
              paired: { median: paired.median, ci95: paired.ci95, n: changes.length },
            }),
      });
    }
  }
  return out;
}

function pointChanges(base: HistoryRecord, now: HistoryRecord) {
  const before = new Map(base.points.map((p) => [pointKey(p), p.status]));
  const worse: PointChange[] = [];
  const better: PointChange[] = [];
  for (const p of now.points) {
    const from = before.get(pointKey(p));
    if (from === undefined || from === p.status) continue;
    const change: PointChange = {
      experiment: p.experiment,
      point: p.point,
      latencyModel: p.latencyModel,
      seed: p.seed,
      from,
      to: p.status,
    };
    if (from === 'ok') worse.push(change);
    else if (p.status === 'ok') better.push(change);
  }
  return { worse, better };
}

/** Compares tonight's record with the baseline on the gated metrics. */
export function compareRecords(
  base: HistoryRecord,
  now: HistoryRecord,
  metrics: readonly Metric[],
  maxRegression: number,
): Comparison {
  const deltas = metricDeltas(base, now, metrics, maxRegression);
  const points = pointChanges(base, now);
  return {
    maxRegression,
    metrics: deltas,
    regressions: deltas.filter((d) => d.verdict === 'regression'),
    improvements: deltas.filter((d) => d.verdict === 'improvement'),
    pointRegressions: points.worse,
    pointImprovements: points.better,
    changedInputs: INPUT_LABELS.map(([k]) => k).filter((k) => base.inputs[k].sha256 !== now.inputs[k].sha256),
  };
}

/** True when the gate fails: any metric or point regression. */
export function hasRegression(c: Comparison): boolean {
  return c.regressions.length > 0 || c.pointRegressions.length > 0;
}
