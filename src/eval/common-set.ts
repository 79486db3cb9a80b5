import { METRICS, type Metric } from '../groundtruth/experiment.ts';
import { LATENCY_MODELS, type LatencyModelName } from '../latency/types.ts';
import { absPercentError, bootstrapCi } from './error-math.ts';
import type { CommonSet, Comparison, Coverage, MetricVerdict, ModelStats, PointResult } from './types.ts';

/**
 * The coverage rule: models join the headline best-covered first (most ok whole-run points;
 * ties in LATENCY_MODELS order), each only while the points every headline model ran stay at
 * least this share of the best-covered model's points. So the headline rests on at least 80 %
 * of what the best-covered model ran, and one model that runs few experiments cannot shrink
 * it to those few.
 */
export const COVERAGE_SHARE = 0.8;
/** Fewer distinct experiments than this, and a comparison names no best model. */
export const MIN_RANK_EXPERIMENTS = 3;

export const COVERAGE_RULE =
  `Coverage rule: models join the headline best-covered first (most ok whole-run points), each only while ` +
  `the points every headline model ran stay at least ${100 * COVERAGE_SHARE} % of the best-covered model's; ` +
  'a model left out is compared with each other model on the points both ran. ' +
  `Below ${MIN_RANK_EXPERIMENTS} experiments no model is ranked.`;

/** A whole-run point of one experiment and seed, the unit every model is compared on. */
const keyOf = (p: PointResult) => `${p.experiment}\u0000${p.point}\u0000${p.seed}`;

type OkBy = Map<LatencyModelName, Map<string, PointResult>>;
interface Bootstrap {
  samples: number;
  seed: number;
}

/**
 * The fair comparison over `points` (already in scope): coverage per model, the headline
 * (COVERAGE_SHARE's rule) and the paired comparisons of the low-coverage models, each with
 * every model's statistics over exactly its points (`statsOf`) and per metric a verdict.
 */
export function commonSet(
  points: readonly PointResult[],
  statsOf: (points: readonly PointResult[]) => ModelStats[],
  bootstrap: Bootstrap,
): CommonSet {
  const present = LATENCY_MODELS.filter((m) => points.some((p) => p.latencyModel === m));
  const okBy: OkBy = new Map();
  for (const p of points) {
    if (p.status !== 'ok') continue;
    const mine = okBy.get(p.latencyModel) ?? new Map<string, PointResult>();
    mine.set(keyOf(p), p);
    okBy.set(p.latencyModel, mine);
  }
  const coverage: Coverage[] = present
    .filter((m) => okBy.has(m))
    .map((m) => {
      const mine = [...okBy.get(m)!.values()];
      return {
        latencyModel: m,
        points: mine.length,
        experiments: new Set(mine.map((p) => p.experiment)).size,
      };
    })
    .sort((a, b) => b.points - a.points);
  const headline: LatencyModelName[] = [];
  const lowCoverage: LatencyModelName[] = [];
  let keys: string[] = [];
  for (const c of coverage) {
    const mine = okBy.get(c.latencyModel)!;
    const kept = headline.length === 0 ? [...mine.keys()] : keys.filter((k) => mine.has(k));
    if (kept.length >= COVERAGE_SHARE * coverage[0]!.points) {
      headline.push(c.latencyModel);
      keys = kept;
    } else lowCoverage.push(c.latencyModel);
  }
  const compare = (models: LatencyModelName[], on: string[]) =>
    comparison(models, on, points, okBy, statsOf, bootstrap);
  const pairs: Comparison[] = [];
  lowCoverage.forEach((low, i) => {
    // Each pair once: a low-coverage model meets the headline models and the later low ones.
    const others = coverage
      .map((c) => c.latencyModel)
      .filter((m) => headline.includes(m) || lowCoverage.indexOf(m) > i);
    for (const other of others) {
      const theirs = okBy.get(other)!;
      pairs.push(
        compare(
          [low, other],
          [...okBy.get(low)!.keys()].filter((k) => theirs.has(k)),
        ),
      );
    }
  });
  const scoped = new Set(points.map(keyOf));
  return {
    ...compare(headline, keys),
    excluded: present.filter((m) => !okBy.has(m)),
    lowCoverage,
    coverage,
    scope: { points: scoped.size, experiments: new Set(points.map((p) => p.experiment)).size },
    pairs,
  };
}

function comparison(
  models: LatencyModelName[],
  keys: string[],
  points: readonly PointResult[],
  okBy: OkBy,
  statsOf: (points: readonly PointResult[]) => ModelStats[],
  bootstrap: Bootstrap,
): Comparison {
  const keySet = new Set(keys);
  const on = points.filter((p) => models.includes(p.latencyModel) && keySet.has(keyOf(p)));
  const stats = statsOf(on);
  return {
    models,
    experiments: [...new Set(on.map((p) => p.experiment))],
    points: keys.length,
    stats,
    verdicts: METRICS.flatMap((metric) => {
      const v = verdict(metric, stats, keys, okBy, bootstrap);
      return v === null ? [] : [v];
    }),
  };
}

function verdict(
  metric: Metric,
  stats: readonly ModelStats[],
  keys: readonly string[],
  okBy: OkBy,
  bootstrap: Bootstrap,
): MetricVerdict | null {
  const ranked = stats
    .flatMap((m) => {
      const s = m.metrics.find((x) => x.metric === metric);
      return s === undefined ? [] : [{ model: m.latencyModel, s }];
    })
    .sort((a, b) => a.s.mape - b.s.mape);
  const best = ranked[0];
  if (best === undefined) return null;
  const measured = keys.filter((k) => okBy.get(best.model)!.get(k)!.measured[metric] !== undefined);
  const experiments = new Set(measured.map((k) => okBy.get(best.model)!.get(k)!.experiment)).size;
  const mapes = ranked.map((r) => ({ latencyModel: r.model, mape: r.s.mape }));
  const base = { metric, n: best.s.n, experiments, mapes };
  if (experiments < MIN_RANK_EXPERIMENTS) {
    return { ...base, ranked: false, best: null, bestMape: null, ...NO_LEAD };
  }
  const next = ranked[1];
  const lead =
    next === undefined
      ? NO_LEAD
      : {
          runnerUp: next.model,
          runnerUpMape: next.s.mape,
          gapPp: next.s.mape - best.s.mape,
          // Paired: the same point's APE under the runner-up minus under the best model.
          gapCi95: bootstrapCi(
            measured.flatMap((k) => {
              const a = apeOf(okBy.get(best.model)!.get(k)!, metric);
              const b = apeOf(okBy.get(next.model)!.get(k)!, metric);
              return a === null || b === null ? [] : [b - a];
            }),
            bootstrap.samples,
            bootstrap.seed,
          ),
        };
  return { ...base, ranked: true, best: best.model, bestMape: best.s.mape, ...lead };
}

const NO_LEAD = { runnerUp: null, runnerUpMape: null, gapPp: null, gapCi95: null };

function apeOf(p: PointResult, metric: Metric): number | null {
  const m = p.measured[metric];
  const pred = p.predicted[metric];
  return m === undefined || pred === undefined ? null : absPercentError(pred, m);
}
