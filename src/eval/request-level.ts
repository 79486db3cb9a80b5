import type { MeasuredPoint, WorkloadPlan } from '../groundtruth/experiment.ts';
import type { RequestRecord } from '../sim/request-log.ts';

/**
 * Request-level errors of a trace replay whose rows carry each request's measured TTFT/E2E
 * (an imported run): every completed simulated request against the same real request, as
 * mean absolute percentage errors. Only in results.json; the tables score the point metrics.
 */
export interface RequestLevelErrors {
  /** Requests compared (completed in the simulation and measured). */
  requests: number;
  ttftMape: number | null;
  e2eMape: number | null;
}

export function requestLevelErrors(
  requests: readonly RequestRecord[],
  workload: WorkloadPlan,
  point: MeasuredPoint,
): RequestLevelErrors | null {
  if (
    workload.kind !== 'trace' ||
    !workload.rows.some((r) => r.ttftMs !== undefined || r.e2eMs !== undefined)
  )
    return null;
  let n = 0;
  const sums = { ttft: { s: 0, n: 0 }, e2e: { s: 0, n: 0 } };
  for (const req of requests) {
    if (!req.completed || (point.stage !== null && req.stage !== point.stage)) continue;
    // The trace source names request i of the rows `request_<i>`.
    const row = workload.rows[Number(req.id.slice('request_'.length))];
    if (!row) continue;
    n++;
    for (const [key, measured, simulatedUs] of [
      ['ttft', row.ttftMs, req.ttft],
      ['e2e', row.e2eMs, req.e2e],
    ] as const) {
      if (measured === undefined || measured <= 0) continue;
      sums[key].s += Math.abs(simulatedUs / 1000 - measured) / measured;
      sums[key].n++;
    }
  }
  if (n === 0) return null;
  const mape = (x: { s: number; n: number }) => (x.n > 0 ? (100 * x.s) / x.n : null);
  return { requests: n, ttftMape: mape(sums.ttft), e2eMape: mape(sums.e2e) };
}
