import { LATENCY_MODELS, type LatencyModelName } from '../latency/types.ts';
import { absPercentError, bootstrapCi } from './error-math.ts';
import {
  type CommonSet,
  METRICS,
  type Metric,
  type MetricVerdict,
  type ModelStats,
  type PointResult,
} from './types.ts';

/** A whole-run point of one experiment and seed, the unit every model is compared on. */
const keyOf = (p: PointResult) => `${p.experiment}\u0000${p.point}\u0000${p.seed}`;

/**
 * The fair comparison over `points` (already in scope): the points every compared model has an
 * ok prediction for, each model's statistics over exactly those (`statsOf`), and per metric
 * the best model with its lead over the next best and a paired bootstrap CI of that lead.
 */
export function commonSet(
  points: readonly PointResult[],
  statsOf: (points: readonly PointResult[]) => ModelStats[],
  bootstrap: { samples: number; seed: number },
): CommonSet {
  const present = LATENCY_MODELS.filter((m) => points.some((p) => p.latencyModel === m));
  const models = present.filter((m) => points.some((p) => p.latencyModel === m && p.status === 'ok'));
  const okBy = new Map<LatencyModelName, Map<string, PointResult>>();
  for (const m of models) okBy.set(m, new Map());
  for (const p of points) if (p.status === 'ok') okBy.get(p.latencyModel)?.set(keyOf(p), p);
  const first = models[0];
  const keys =
    first === undefined
      ? []
      : [...okBy.get(first)!.keys()].filter((k) => models.every((m) => okBy.get(m)!.has(k)));
  const keySet = new Set(keys);
  const common = points.filter((p) => models.includes(p.latencyModel) && keySet.has(keyOf(p)));
  const stats = statsOf(common);
  return {
    models,
    excluded: present.filter((m) => !models.includes(m)),
    experiments: [...new Set(common.map((p) => p.experiment))],
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
  okBy: Map<LatencyModelName, Map<string, PointResult>>,
  bootstrap: { samples: number; seed: number },
): MetricVerdict | null {
  const ranked = stats
    .flatMap((m) => {
      const s = m.metrics.find((x) => x.metric === metric);
      return s === undefined ? [] : [{ model: m.latencyModel, s }];
    })
    .sort((a, b) => a.s.mape - b.s.mape);
  const best = ranked[0];
  if (best === undefined) return null;
  const next = ranked[1];
  let gapCi95: [number, number] | null = null;
  if (next !== undefined) {
    // Paired: the same point's APE under the runner-up minus under the best model.
    const gaps = keys.flatMap((k) => {
      const a = apeOf(okBy.get(best.model)!.get(k)!, metric);
      const b = apeOf(okBy.get(next.model)!.get(k)!, metric);
      return a === null || b === null ? [] : [b - a];
    });
    gapCi95 = bootstrapCi(gaps, bootstrap.samples, bootstrap.seed);
  }
  return {
    metric,
    n: best.s.n,
    best: best.model,
    bestMape: best.s.mape,
    runnerUp: next?.model ?? null,
    runnerUpMape: next?.s.mape ?? null,
    gapPp: next === undefined ? null : next.s.mape - best.s.mape,
    gapCi95,
  };
}

function apeOf(p: PointResult, metric: Metric): number | null {
  const m = p.measured[metric];
  const pred = p.predicted[metric];
  return m === undefined || pred === undefined ? null : absPercentError(pred, m);
}
