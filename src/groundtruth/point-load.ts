/**
 * The load a measured point was run at, as the experiment planned it: a stage's or qps
 * point's request rate, or, for a client that sent as fast as its limit allowed, that limit
 * (requests in flight). The knee report (eval/knee.ts) orders a sweep's points by it. The
 * planned load, not the achieved one, so that the measurement and every simulation sit on one
 * axis: a client held back by a slow server sent less than asked, which is the overload itself.
 */
import type { MeasuredPoint, PointLoad } from './experiment.ts';
import type { Measured, RawExperiment, RawQpsPoint } from './schema.ts';

/** A request rate this high is an import's stand-in for "every request at once", not a rate. */
const BURST_RATE = 1e6;

/** Failed / sent requests of a point, where the file counts them. */
function failedOf(m: Measured & { num_sent?: unknown }): number | undefined {
  const failed = m.num_failures;
  if (typeof failed !== 'number') return undefined;
  const sent = typeof m.num_sent === 'number' ? m.num_sent : (m.num_requests ?? 0) + failed;
  return sent > 0 ? failed / sent : undefined;
}

function withLoad(
  point: MeasuredPoint,
  load: PointLoad | undefined,
  m: Measured,
  runFailed: number | null,
): MeasuredPoint {
  const failed = failedOf(m) ?? runFailed ?? undefined;
  return {
    ...point,
    ...(load && { load }),
    ...(failed !== undefined && { failedFraction: failed }),
  };
}

/**
 * A stage point with its planned rate (`rate`, else `requested_rate`, else the executed
 * profile's stage rate) and its failed fraction; `runFailed` stands in for a one-stage run's.
 */
export function stageWithLoad(
  point: MeasuredPoint,
  s: Measured & { rate?: number | undefined; requested_rate?: unknown },
  profileRate: number | undefined,
  runFailed: number | null,
): MeasuredPoint {
  const planned = s.rate ?? (typeof s.requested_rate === 'number' ? s.requested_rate : profileRate);
  return withLoad(point, planned === undefined ? undefined : { kind: 'rate', value: planned }, s, runFailed);
}

/**
 * A qps point with its load: its requested rate (or, where the file states none, its `qps`
 * below the burst stand-in); with no rate and a client limit, the limit; a burst has none.
 */
export function qpsWithLoad(point: MeasuredPoint, raw: RawExperiment, p: RawQpsPoint): MeasuredPoint {
  const requested = p.requested_rate;
  const rate =
    typeof requested === 'number'
      ? requested
      : requested === undefined && p.qps !== undefined && p.qps < BURST_RATE
        ? p.qps
        : undefined;
  const limit = p.max_concurrency ?? raw.workload_config.max_concurrency;
  const load: PointLoad | undefined =
    rate !== undefined
      ? { kind: 'rate', value: rate }
      : typeof limit === 'number'
        ? { kind: 'concurrency', value: limit }
        : undefined;
  return withLoad(point, load, p, null);
}
