import { failedPercent, isFailingRun, type Metric } from '../groundtruth/experiment.ts';
import { absPercentError } from './error-math.ts';
import { HEADLINE_METRICS, type PointResult } from './types.ts';

/** Simulated TTFT of the last third of requests at least this many times the first third's. */
export const OVERLOAD_GROWTH = 3;
/**
 * An ok point is an outlier when predicted / measured of some headline metric lies outside
 * [1 / OUTLIER_RATIO, OUTLIER_RATIO]: symmetric, so a prediction 100x too fast counts as much as
 * one 100x too slow (an APE threshold cannot see under-predictions: they stop at 100 %).
 */
export const OUTLIER_RATIO = 2;

export const FAILURE_CLASS_DEFINITION =
  `predicted overload: the simulation's queue grows without bound where the server's did not ` +
  `(simulated mean TTFT of the last third of requests >= ${OVERLOAD_GROWTH}x the first third's and ` +
  `more than ${OUTLIER_RATIO}x the measured TTFT, or the run stopped still busy long after its arrivals ended); ` +
  `server failed <n> % of requests: the measured latencies are those of the requests that outlived ` +
  `the client's timeout (the replay completes every request), so no latency model is judged by them; ` +
  `workload mismatch (<quantities>): the replay sent or completed more than 5 % other than what was ` +
  `measured, so the error is the replay's, not the latency model's; ` +
  `predicted underload: the simulated mean TTFT is under 1/${OUTLIER_RATIO} of the measured and the simulated ` +
  'queue does not grow: the server kept requests waiting (queued, or prefilled slower) where the simulation did not; ' +
  `failed: <reason>: the simulation produced no prediction. Outliers: ok points whose predicted / measured ` +
  `of a headline metric is outside [1/${OUTLIER_RATIO}, ${OUTLIER_RATIO}], and failed points.`;

/** One metric of a point: measured and predicted (ms), their ratio and the APE. */
export interface MetricMiss {
  metric: Metric;
  measured: number;
  predicted: number;
  /** predicted / measured. */
  ratio: number;
  ape: number;
}

/** One metric's miss, or null where it is not defined (not predicted, or measured at 0). */
function missOf(p: PointResult, metric: Metric): MetricMiss | null {
  const measured = p.measured[metric];
  const predicted = p.predicted[metric];
  if (measured === undefined || predicted === undefined || !(measured > 0)) return null;
  const ape = absPercentError(predicted, measured);
  return ape === null ? null : { metric, measured, predicted, ratio: predicted / measured, ape };
}

/**
 * The headline metric whose predicted / measured is farthest from 1 on a log scale (x0.25 as far
 * as x4), or null where none is defined (not ok, or nothing measured above 0).
 */
export function worstMetric(p: PointResult): MetricMiss | null {
  let worst: MetricMiss | null = null;
  let far = -1;
  for (const metric of HEADLINE_METRICS) {
    const miss = missOf(p, metric);
    if (miss === null) continue;
    const distance = miss.ratio > 0 ? Math.abs(Math.log(miss.ratio)) : Number.POSITIVE_INFINITY;
    if (distance > far) {
      far = distance;
      worst = miss;
    }
  }
  return worst;
}

/**
 * The metric an outlier is shown by: ttft_mean for a predicted overload or underload (the
 * metric those classes judge), else the worst headline metric.
 */
export function outlierMetric(p: PointResult, cls = failureClass(p)): MetricMiss | null {
  const judged =
    cls === 'predicted overload' || cls === 'predicted underload' ? missOf(p, 'ttft_mean') : null;
  return judged ?? worstMetric(p);
}

const outsideBand = (ratio: number) => ratio > OUTLIER_RATIO || ratio < 1 / OUTLIER_RATIO;

/**
 * Why a point's prediction is off or missing, where the data says: "server failed <n> % of
 * requests" (the measurement is censored), "predicted overload", "predicted underload",
 * "workload mismatch (<quantities>)", "failed: <reason>", or null (no known class; n.a.
 * points have their own reasons). A mismatch in what the replay sent or completed comes
 * before an overload or underload (a replay that sent more than the server completed
 * overloads for the replay's sake); requests/s alone is also the simulation's own pace (an
 * overloaded simulation finishes late, an underloaded client sent late), so they win over it.
 */
export function failureClass(p: PointResult): string | null {
  if (p.status === 'failed') {
    const reason = (p.reason ?? '').replace(/\s+/g, ' ').trim();
    return reason.startsWith('predicted overload') ? 'predicted overload' : `failed: ${reason.split(';')[0]}`;
  }
  if (p.status !== 'ok') return null;
  const failed = p.meta.failedFraction;
  if (isFailingRun(failed)) return `server failed ${failedPercent(failed)} of requests`;
  const mismatch = p.replay?.mismatch ?? [];
  const label = `workload mismatch (${mismatch.join(', ')})`;
  if (mismatch.some((q) => q !== 'requestsPerSec')) return label;
  const ttft = missOf(p, 'ttft_mean');
  const growing = (p.simTtftGrowth ?? 0) >= OVERLOAD_GROWTH;
  if (ttft !== null && growing && ttft.ratio > OUTLIER_RATIO) return 'predicted overload';
  if (ttft !== null && !growing && ttft.ratio < 1 / OUTLIER_RATIO) return 'predicted underload';
  return mismatch.length > 0 ? label : null;
}

/**
 * Outlier points (failed, or ok with a headline predicted / measured outside the band), in run
 * order. The stage of a one-stage experiment is its summary again, so it is not listed twice.
 */
export function outliers(points: readonly PointResult[]): PointResult[] {
  const stages = new Map<string, Set<string>>();
  for (const p of points) {
    if (!p.point.startsWith('stage-')) continue;
    stages.set(p.experiment, (stages.get(p.experiment) ?? new Set()).add(p.point));
  }
  return points.filter((p) => {
    if (p.point.startsWith('stage-') && stages.get(p.experiment)!.size < 2) return false;
    if (p.status === 'failed') return true;
    const worst = p.status === 'ok' ? worstMetric(p) : null;
    return worst !== null && outsideBand(worst.ratio);
  });
}
