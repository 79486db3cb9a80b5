import { absPercentError, isHeadlinePoint } from '../eval/stats.ts';
import type { PointResult } from '../eval/types.ts';
import type { Metric } from '../groundtruth/experiment.ts';
import { FAILURE_APE, type ObjectiveSpec } from './objective-types.ts';

/** One experiment under one candidate: mean APE per objective metric over its headline points. */
export interface ExperimentScore {
  status: 'ok' | 'failed' | 'not_applicable';
  apes: Partial<Record<Metric, number>>;
  reason?: string;
}

/** Scores of one experiment from its points (summary and qps points; stages are parts of runs). */
export function experimentScore(points: readonly PointResult[], metrics: readonly Metric[]): ExperimentScore {
  const mine = points.filter((p) => isHeadlinePoint(p.point));
  const na = mine.find((p) => p.status === 'not_applicable');
  if (mine.length === 0 || na)
    return { status: 'not_applicable', apes: {}, reason: na?.reason ?? 'no headline point' };
  const failed = mine.find((p) => p.status === 'failed');
  if (failed) return { status: 'failed', apes: {}, ...(failed.reason && { reason: failed.reason }) };
  const apes: Partial<Record<Metric, number>> = {};
  for (const m of metrics) {
    const vals = mine.flatMap((p) => {
      const meas = p.measured[m];
      const pred = p.predicted[m];
      return meas !== undefined && meas > 0 && pred !== undefined ? [absPercentError(pred, meas)!] : [];
    });
    if (vals.length > 0) apes[m] = vals.reduce((a, b) => a + b, 0) / vals.length;
  }
  return { status: 'ok', apes };
}

export const MEAN_OBJECTIVE: ObjectiveSpec = { agg: 'mean', weights: {} };

/**
 * An experiment's objective: the weighted mean of its metric APEs, each capped at
 * FAILURE_APE (a predicted overload with a 50 000 % TTFT error is no more wrong than a
 * failed simulation, and must not drown every other experiment); a failure counts FAILURE_APE.
 */
export function experimentObjective(s: ExperimentScore, weights: ObjectiveSpec['weights'] = {}): number {
  if (s.status === 'failed') return FAILURE_APE;
  let sum = 0;
  let total = 0;
  for (const [m, a] of Object.entries(s.apes) as [Metric, number][]) {
    const w = weights[m] ?? 1;
    sum += w * Math.min(a, FAILURE_APE);
    total += w;
  }
  return total > 0 ? sum / total : FAILURE_APE;
}

/** The objective of a set of experiments (each weighs the same however many points it has). */
export function objectiveOf(
  scores: readonly ExperimentScore[],
  spec: ObjectiveSpec = MEAN_OBJECTIVE,
): number {
  const used = scores.filter((s) => s.status !== 'not_applicable');
  if (used.length === 0) return Number.POSITIVE_INFINITY;
  const v = used.map((s) => experimentObjective(s, spec.weights));
  return spec.agg === 'rmse'
    ? Math.sqrt(v.reduce((a, x) => a + x * x, 0) / v.length)
    : v.reduce((a, x) => a + x, 0) / v.length;
}

/** Mean over experiments, every metric weighing 1. */
export function meanObjective(scores: readonly ExperimentScore[]): number {
  return objectiveOf(scores);
}

/** MAPE per metric over the ok experiments (what the fold tables show), with the failure count. */
export function metricMapes(
  scores: readonly ExperimentScore[],
  metrics: readonly Metric[],
): { mape: Partial<Record<Metric, number>>; ok: number; failed: number } {
  const ok = scores.filter((s) => s.status === 'ok');
  const mape: Partial<Record<Metric, number>> = {};
  for (const m of metrics) {
    const vals = ok.flatMap((s) => (s.apes[m] === undefined ? [] : [s.apes[m]]));
    if (vals.length > 0) mape[m] = vals.reduce((a, b) => a + b, 0) / vals.length;
  }
  return { mape, ok: ok.length, failed: scores.filter((s) => s.status === 'failed').length };
}
