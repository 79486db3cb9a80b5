import type { MeasuredPoint, Metric } from '../groundtruth/experiment.ts';
import { meanMs, percentileMs } from '../sim/stats.ts';
import type { ClientRequest } from './client-count.ts';

/**
 * How the evaluator computes simulated percentiles, stated in every report: over the
 * completed requests of the point, numpy's default "linear" interpolation (the same
 * definition inference-perf and BLIS use).
 */
export const PERCENTILE_DEFINITION =
  'pNN over the completed requests of the point (requests that arrived in the stage, or all for summary/qps), ' +
  'linear interpolation between closest ranks (numpy default), as inference-perf computes the measured values. ' +
  'itl_mean = (e2e_mean - ttft_mean) / (mean output tokens - 1), the request-level definition of the ground truth.';

/** Simulated values of the point's measured metrics, or a reason when none can be computed. */
export function pointMetrics(
  requests: readonly ClientRequest[],
  point: MeasuredPoint,
): { predicted: Partial<Record<Metric, number>>; ttftGrowth: number | null } | { error: string } {
  const done = requests.filter((r) => r.completed && (point.stage === null || r.stage === point.stage));
  if (done.length === 0) {
    return {
      error: `no simulated request completed${point.stage === null ? '' : ` in stage ${point.stage}`}`,
    };
  }
  const ttft = Float64Array.from(done, (r) => r.ttft).sort();
  const e2e = Float64Array.from(done, (r) => r.e2e).sort();
  let outSum = 0;
  for (const r of done) outSum += r.outputLen;
  const outMean = outSum / done.length;
  const all: Record<Metric, () => number> = {
    ttft_mean: () => meanMs(ttft),
    ttft_p50: () => percentileMs(ttft, 50),
    ttft_p90: () => percentileMs(ttft, 90),
    ttft_p99: () => percentileMs(ttft, 99),
    // One output token has no inter-token gap: the ratio is undefined, not zero.
    itl_mean: () => (outMean > 1 ? (meanMs(e2e) - meanMs(ttft)) / (outMean - 1) : Number.NaN),
    e2e_mean: () => meanMs(e2e),
    e2e_p50: () => percentileMs(e2e, 50),
    e2e_p90: () => percentileMs(e2e, 90),
    e2e_p99: () => percentileMs(e2e, 99),
  };
  const predicted: Partial<Record<Metric, number>> = {};
  for (const m of Object.keys(point.measured) as Metric[]) {
    const v = all[m]();
    if (Number.isFinite(v)) predicted[m] = v;
  }
  return { predicted, ttftGrowth: ttftGrowth(done) };
}

/**
 * How the simulated queue developed over the point: the mean TTFT of the last third of its
 * requests (in arrival order) over that of the first third. A queue that grows without bound
 * makes each later request wait longer, so this ratio climbs far above 1; a stable server
 * keeps it near 1. null with fewer than 6 requests or a zero first-third mean.
 */
function ttftGrowth(done: readonly ClientRequest[]): number | null {
  if (done.length < 6) return null;
  const byArrival = [...done].sort((a, b) => a.arrival - b.arrival);
  const third = Math.floor(byArrival.length / 3);
  const mean = (rs: readonly ClientRequest[]) => rs.reduce((a, r) => a + r.ttft, 0) / rs.length;
  const head = mean(byArrival.slice(0, third));
  return head > 0 ? mean(byArrival.slice(byArrival.length - third)) / head : null;
}
