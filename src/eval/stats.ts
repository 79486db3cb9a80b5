import { max, mean, median, quantileSorted } from 'simple-statistics';
import { isFailingRun, METRICS, type Metric } from '../groundtruth/experiment.ts';
import { LATENCY_MODELS } from '../latency/types.ts';
import { commonSet } from './common-set.ts';
import { bootstrapCi, percentError } from './error-math.ts';
import { failureClass } from './failure-class.ts';
import type {
  BreakdownGroup,
  BreakdownKey,
  ErrorRow,
  EvalStats,
  MetricStats,
  ModelStats,
  PointResult,
  StatusCounts,
} from './types.ts';

/**
 * How the error statistics are computed, stated in the reports. p90 APE uses simple-statistics'
 * quantileSorted: linear interpolation between closest ranks, index (n − 1) × 0.9 into the
 * ascending APEs (R type 7, numpy's default), the same definition as the latency percentiles.
 */
export const ERROR_STATS_DEFINITION =
  'APE = |predicted - measured| / measured x 100, PE (bias) = (predicted - measured) / measured x 100 ' +
  '(positive = over-prediction). MAPE = mean APE over the points in scope, each seed an entry. ' +
  'p90 APE: linear interpolation between closest ranks (R type 7, numpy default). ' +
  '95 % CI: percentile bootstrap of the MAPE (2.5th/97.5th of seeded resample means).';

/** Which points enter the aggregates: every point, or only the whole-run values. */
export type StatsScope = 'all' | 'headline';

export interface StatsOptions {
  /** Bootstrap resamples of each CI (default 1000). */
  bootstrapSamples?: number;
  /** PRNG seed of the bootstrap (default 1). */
  seed?: number;
  /**
   * 'headline' (default) keeps only `summary` and `qps-<rate>` points, the whole-run values that
   * published comparisons use: stage points are slices of a summary, so counting them as well
   * would weigh staged experiments several times. 'all' counts every point as an equal entry.
   */
  scope?: StatsScope;
  /**
   * Count experiments whose server failed more than 5 % of requests (default false: their
   * latencies are those of the requests that survived a client timeout, so they are left out).
   */
  includeFailing?: boolean;
}

export { absPercentError } from './error-math.ts';

export const BREAKDOWN_KEYS: readonly BreakdownKey[] = ['model', 'gpu', 'tp', 'family'];

/** A point holding a whole run's values: `summary`, `qps-<rate>` or `trace-<i>` (not a `stage-<i>` slice). */
export function isHeadlinePoint(id: string): boolean {
  return id === 'summary' || id.startsWith('qps-') || id.startsWith('trace-');
}

/** The whole-run points (summary and qps-<rate>), in input order. */
export function summaryPoints(points: readonly PointResult[]): PointResult[] {
  return points.filter((p) => isHeadlinePoint(p.point));
}

/** One row per point × measured metric (METRICS order), in the points' order. */
export function errorRows(points: readonly PointResult[]): ErrorRow[] {
  const rows: ErrorRow[] = [];
  for (const p of points) {
    const cls = failureClass(p);
    for (const metric of METRICS) {
      const measured = p.measured[metric];
      if (measured === undefined) continue;
      const pred = p.status === 'ok' ? p.predicted[metric] : undefined;
      const pe = pred === undefined ? null : percentError(pred, measured);
      rows.push({
        experiment: p.experiment,
        point: p.point,
        latencyModel: p.latencyModel,
        seed: p.seed,
        metric,
        measured,
        predicted: pred ?? null,
        absError: pred === undefined ? null : Math.abs(pred - measured),
        ape: pe === null ? null : Math.abs(pe),
        pe,
        status: p.status,
        meta: p.meta,
        ...(p.reason !== undefined && { reason: p.reason }),
        ...(cls !== null && { failureClass: cls }),
        workloadMismatch: p.replay?.mismatch.join(';') ?? '',
      });
    }
  }
  return rows;
}

export function statsOptions(opts: StatsOptions): Required<StatsOptions> {
  return {
    bootstrapSamples: opts.bootstrapSamples ?? 1000,
    seed: opts.seed ?? 1,
    scope: opts.scope ?? 'headline',
    includeFailing: opts.includeFailing ?? false,
  };
}

function metricStats(metric: Metric, points: readonly PointResult[], o: Required<StatsOptions>) {
  const apes: number[] = [];
  const pes: number[] = [];
  for (const p of points) {
    const m = p.measured[metric];
    const pred = p.predicted[metric];
    if (p.status !== 'ok' || m === undefined || pred === undefined) continue;
    const pe = percentError(pred, m);
    if (pe === null) continue;
    pes.push(pe);
    apes.push(Math.abs(pe));
  }
  if (apes.length === 0) return null;
  const sorted = [...apes].sort((x, y) => x - y);
  const s: MetricStats = {
    metric,
    n: apes.length,
    mape: mean(apes),
    medianApe: median(sorted),
    meanPe: mean(pes),
    p90Ape: quantileSorted(sorted, 0.9),
    maxApe: max(sorted),
    ci95: bootstrapCi(apes, o.bootstrapSamples, o.seed),
  };
  return s;
}

function countStatus(points: readonly PointResult[]): StatusCounts {
  const c: StatusCounts = { ok: 0, notApplicable: 0, failed: 0 };
  for (const p of points) {
    if (p.status === 'ok') c.ok++;
    else if (p.status === 'not_applicable') c.notApplicable++;
    else c.failed++;
  }
  return c;
}

/** ModelStats of each latency model present in `points`, in LATENCY_MODELS order. */
export function perModel(points: readonly PointResult[], o: Required<StatsOptions>): ModelStats[] {
  const out: ModelStats[] = [];
  for (const latencyModel of LATENCY_MODELS) {
    const mine = points.filter((p) => p.latencyModel === latencyModel);
    if (mine.length === 0) continue;
    const metrics = METRICS.map((m) => metricStats(m, mine, o)).filter((s) => s !== null);
    out.push({ latencyModel, counts: countStatus(mine), metrics });
  }
  return out;
}

function groupKeys(by: BreakdownKey, points: readonly PointResult[]): string[] {
  const keys = [...new Set(points.map((p) => String(p.meta[by])))];
  // tp sorts numerically; the others by code unit order, which does not depend on the locale.
  return by === 'tp'
    ? keys.sort((a, b) => Number(a) - Number(b))
    : keys.sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
}

/** Aggregates per latency model and per breakdown group (model, gpu, tp, family). */
export function computeStats(points: readonly PointResult[], opts: StatsOptions = {}): EvalStats {
  const o = statsOptions(opts);
  const censored = (p: PointResult) => !o.includeFailing && isFailingRun(p.meta.failedFraction);
  const leftOut = [...new Set(points.filter(censored).map((p) => p.experiment))];
  const counted = points.filter((p) => !censored(p));
  const inScope = o.scope === 'headline' ? summaryPoints(counted) : counted;
  const breakdowns: BreakdownGroup[] = [];
  for (const by of BREAKDOWN_KEYS) {
    for (const key of groupKeys(by, inScope)) {
      const group = inScope.filter((p) => String(p.meta[by]) === key);
      for (const s of perModel(group, o)) breakdowns.push({ by, key, ...s });
    }
  }
  return {
    leftOut,
    models: perModel(inScope, o),
    breakdowns,
    common: commonSet(inScope, (pts) => perModel(pts, o), {
      samples: o.bootstrapSamples,
      seed: o.seed,
    }),
  };
}
