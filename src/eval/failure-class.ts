import { failedPercent, isFailingRun } from '../groundtruth/experiment.ts';
import { absPercentError } from './error-math.ts';
import { HEADLINE_METRICS, type PointResult } from './types.ts';

/** Simulated TTFT of the last third of requests at least this many times the first third's. */
export const OVERLOAD_GROWTH = 3;
/** An ok point is an outlier when its APE on some headline metric reaches this (%). */
export const OUTLIER_APE = 100;

export const FAILURE_CLASS_DEFINITION =
  `predicted overload: the simulation's queue grows without bound where the server's did not ` +
  `(simulated mean TTFT of the last third of requests >= ${OVERLOAD_GROWTH}x the first third's and ` +
  `>= 2x the measured TTFT, or the run stopped still busy long after its arrivals ended); ` +
  `server failed <n> % of requests: the measured latencies are those of the requests that outlived ` +
  `the client's timeout (the replay completes every request), so no latency model is judged by them; ` +
  `workload mismatch (<quantities>): the replay sent or completed more than 5 % other than what was ` +
  `measured, so the error is the replay's, not the latency model's; ` +
  `failed: <reason>: the simulation produced no prediction. Outliers: ok points with an APE >= ${OUTLIER_APE} % ` +
  'on a headline metric, and failed points.';

/** The largest APE of a point over the headline metrics, or null where none is defined. */
export function worstApe(p: PointResult): number | null {
  let worst: number | null = null;
  for (const m of HEADLINE_METRICS) {
    const meas = p.measured[m];
    const pred = p.predicted[m];
    if (meas === undefined || pred === undefined) continue;
    const ape = absPercentError(pred, meas);
    if (ape !== null && (worst === null || ape > worst)) worst = ape;
  }
  return worst;
}

/**
 * Why a point's prediction is off or missing, where the data says: "server failed <n> % of
 * requests" (the measurement is censored), "predicted overload", "workload mismatch
 * (<quantities>)", "failed: <reason>", or null (no known class; n.a.
 * points have their own reasons). A mismatch in what the replay sent or completed comes
 * before an overload (a replay that sent more than the server completed overloads for the
 * replay's sake); requests/s alone is also the simulation's own pace, so an overload wins
 * over it.
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
  const measured = p.measured.ttft_mean;
  const predicted = p.predicted.ttft_mean;
  const growing = (p.simTtftGrowth ?? 0) >= OVERLOAD_GROWTH;
  if (growing && measured !== undefined && predicted !== undefined && predicted >= 2 * measured) {
    return 'predicted overload';
  }
  return mismatch.length > 0 ? label : null;
}

/** Outlier points (failed, or ok with a headline APE >= OUTLIER_APE), in run order. */
export function outliers(points: readonly PointResult[]): PointResult[] {
  return points.filter(
    (p) => p.status === 'failed' || (p.status === 'ok' && (worstApe(p) ?? 0) >= OUTLIER_APE),
  );
}
