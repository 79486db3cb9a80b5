/**
 * Where the server stops keeping up: per staged experiment or sweep, the load at which mean
 * TTFT leaves its low-load level (the knee), measured and as each latency model predicts it,
 * and the error between them. Pure: plain data in, plain data out.
 */
import { FAILING_FRACTION } from '../groundtruth/experiment.ts';
import type { LatencyModelName } from '../latency/types.ts';
import { OVERLOAD_GROWTH } from './failure-class.ts';
import type {
  Knee,
  KneeDirection,
  KneeError,
  KneeExperiment,
  KneeModelSummary,
  KneePoint,
  KneePrediction,
  KneeReport,
  KneeSide,
  PointLoadInfo,
} from './knee-types.ts';
import type { ExperimentInfo, PointResult } from './types.ts';

/**
 * A point is past the knee when its mean TTFT exceeds this many times the lowest load's. Below
 * the knee, batching alone (a prompt waits for the running step, shares steps with decodes)
 * raised mean TTFT by up to 1.9x in every sweep we have; past it, where requests queue, by 13x
 * or more. 3 sits between, and is the evaluator's predicted-overload growth too.
 */
export const KNEE_FACTOR = 3;

export const KNEE_DEFINITION =
  `knee = the lowest load at which mean TTFT exceeds ${KNEE_FACTOR}x the mean TTFT at the lowest load, ` +
  'interpolated between the last point below and the first above it, linearly in load and in log TTFT; ' +
  'a point also counts as past it when it shows an overload of its own (measured: more than ' +
  `${100 * FAILING_FRACTION} % of its requests failed; predicted: the simulated TTFT of its last third of ` +
  `requests is >= ${OVERLOAD_GROWTH}x its first third's, or the simulation was stopped as overloaded), ` +
  'and then sits at that point\u2019s load. Load: the rate (or, for a client that sent as fast as its limit ' +
  'allowed, the concurrency) each point was planned at, one axis for the measurement and every model. ' +
  '"> x": no knee up to the highest load x; "<= x": past it already at the lowest load x. Error = predicted / ' +
  'measured knee - 1; with a censored side it is a bound (">= +95 %": the model puts the knee at least ' +
  '95 % higher, i.e. says the server keeps up where it did not). Experiments with one load enter only ' +
  'when a side is past the knee there.';

export interface SeriesInput {
  point: string;
  load: number;
  ttftMs: number | null;
  overloaded: boolean;
}

/**
 * The knee of one (load, mean TTFT) series. Points without a TTFT count only when overloaded;
 * an empty series has none (null).
 */
export function findKnee(input: readonly SeriesInput[], factor = KNEE_FACTOR): KneeSide | null {
  const series = input.filter((s) => s.ttftMs !== null || s.overloaded).sort((a, b) => a.load - b.load);
  const first = series[0];
  if (first === undefined) return null;
  const top = series[series.length - 1]!.load;
  // A simulation stopped as overloaded has no point of its own: the overload lies somewhere <= top.
  if (series.every((s) => s.ttftMs === null)) {
    const points = series.map((s): KneePoint => ({ ...s, past: true }));
    return { knee: { kind: 'atOrBelow', load: top }, referenceTtftMs: null, series: points };
  }
  const reference = first.overloaded ? null : first.ttftMs;
  const isPast = (s: SeriesInput) =>
    s.overloaded || (reference !== null && s.ttftMs !== null && s.ttftMs > factor * reference);
  const points = series.map((s): KneePoint => ({ ...s, past: isPast(s) }));
  const at = points.findIndex((p) => p.past);
  if (at === 0)
    return { knee: { kind: 'atOrBelow', load: first.load }, referenceTtftMs: null, series: points };
  if (at < 0) return { knee: { kind: 'above', load: top }, referenceTtftMs: reference, series: points };
  const lo = points[at - 1]!;
  const hi = points[at]!;
  let load = hi.load;
  if (reference !== null && lo.ttftMs !== null && hi.ttftMs !== null && hi.ttftMs > factor * reference) {
    const f = Math.log((factor * reference) / lo.ttftMs) / Math.log(hi.ttftMs / lo.ttftMs);
    load = lo.load + (hi.load - lo.load) * f;
  }
  return { knee: { kind: 'at', load }, referenceTtftMs: reference, series: points };
}

/** The interval a knee stands for: exact, (x, ∞) or (0, x]. */
function bounds(k: Knee): [number, number] {
  if (k.kind === 'at') return [k.load, k.load];
  return k.kind === 'above' ? [k.load, Number.POSITIVE_INFINITY] : [0, k.load];
}

/** Predicted against measured knee: the error (exact or a bound) and its direction. */
export function kneeError(
  measured: Knee,
  predicted: Knee,
): { error: KneeError; direction: KneeDirection | null } {
  if (measured.kind !== 'at' && measured.kind === predicted.kind) {
    return { error: { kind: 'agree' }, direction: 'same' };
  }
  const [mlo, mhi] = bounds(measured);
  const [plo, phi] = bounds(predicted);
  if (measured.kind === 'at' && predicted.kind === 'at') {
    const pct = 100 * (plo / mlo - 1);
    return { error: { kind: 'exact', pct }, direction: pct > 0 ? 'later' : pct < 0 ? 'earlier' : 'same' };
  }
  const lo = 100 * (plo / mhi - 1);
  const hi = mlo > 0 ? 100 * (phi / mlo - 1) : Number.POSITIVE_INFINITY;
  if (!Number.isFinite(hi))
    return { error: { kind: 'atLeast', pct: lo }, direction: lo >= 0 ? 'later' : null };
  return { error: { kind: 'atMost', pct: hi }, direction: hi <= 0 ? 'earlier' : null };
}

/** The load axis of an experiment: the kind most of its points have (rate on a tie). */
function axisOf(loads: readonly PointLoadInfo[]): PointLoadInfo['kind'] {
  const rates = loads.filter((l) => l.kind === 'rate').length;
  return rates * 2 >= loads.length ? 'rate' : 'concurrency';
}

const mean = (xs: readonly number[]) => xs.reduce((a, x) => a + x, 0) / xs.length;

/** One model's series over the axis points: mean TTFT over seeds, and its overload signs. */
function predictedSeries(
  loads: readonly PointLoadInfo[],
  points: readonly PointResult[],
): { series: SeriesInput[]; reason?: string } {
  const series: SeriesInput[] = [];
  let reason: string | undefined;
  for (const l of loads) {
    const mine = points.filter((p) => p.point === l.point);
    const ok = mine.filter((p) => p.status === 'ok' && p.predicted.ttft_mean !== undefined);
    const stopped = mine.some(
      (p) => p.status === 'failed' && (p.reason ?? '').startsWith('predicted overload'),
    );
    const growth = ok.map((p) => p.simTtftGrowth).filter((g) => g !== undefined);
    const growing = growth.length > 0 && mean(growth) >= OVERLOAD_GROWTH;
    if (ok.length === 0 && !stopped) {
      reason ??= mine.find((p) => p.reason)?.reason;
      continue;
    }
    const ttftMs = ok.length > 0 ? mean(ok.map((p) => p.predicted.ttft_mean!)) : null;
    series.push({ point: l.point, load: l.value, ttftMs, overloaded: stopped || growing });
  }
  return { series, ...(reason !== undefined && { reason }) };
}

function experimentKnee(
  x: ExperimentInfo,
  points: readonly PointResult[],
  models: readonly LatencyModelName[],
): KneeExperiment | null {
  const all = x.loads ?? [];
  if (all.length === 0) return null;
  const axis = axisOf(all);
  const loads = all.filter((l) => l.kind === axis);
  const mine = points.filter((p) => p.experiment === x.name);
  const measuredSeries = loads.flatMap((l): SeriesInput[] => {
    const ttft = mine.find((p) => p.point === l.point)?.measured.ttft_mean;
    const overloaded = (l.failedFraction ?? 0) > FAILING_FRACTION;
    return ttft === undefined && !overloaded
      ? []
      : [{ point: l.point, load: l.value, ttftMs: ttft ?? null, overloaded }];
  });
  const measured = findKnee(measuredSeries);
  if (measured === null) return null;
  const predicted = models.map((latencyModel): KneePrediction => {
    const own = mine.filter((p) => p.latencyModel === latencyModel);
    const { series, reason } = predictedSeries(loads, own);
    const from = own.find((p) => p.tablesFrom !== undefined)?.tablesFrom;
    const model = { latencyModel, ...(from !== undefined && { tablesFrom: from }) };
    const side = findKnee(series);
    if (side === null) {
      return { ...model, side: null, reason: reason ?? 'no prediction', error: null, direction: null };
    }
    return { ...model, side, ...kneeError(measured.knee, side.knee) };
  });
  return { experiment: x.name, axis, measured, predicted };
}

function summarize(experiments: readonly KneeExperiment[], model: LatencyModelName): KneeModelSummary {
  const mine = experiments.flatMap((x) => x.predicted.filter((p) => p.latencyModel === model && p.side));
  const exact = mine.flatMap((p) => (p.error?.kind === 'exact' ? [Math.abs(p.error.pct)] : []));
  const count = (d: KneeDirection) => mine.filter((p) => p.direction === d).length;
  return {
    latencyModel: model,
    experiments: mine.length,
    exact: exact.length,
    meanAbsErrorPct: exact.length > 0 ? mean(exact) : null,
    later: count('later'),
    earlier: count('earlier'),
    same: count('same'),
  };
}

/**
 * The knee report of a run: every experiment with two or more loads on its axis, and every
 * one-load experiment where the measurement or a model is past the knee at that load.
 */
export function computeKnees(
  experiments: readonly ExperimentInfo[],
  points: readonly PointResult[],
  models: readonly LatencyModelName[],
): KneeReport {
  const out: KneeExperiment[] = [];
  const skippedSingleLoad: string[] = [];
  for (const x of experiments) {
    const k = experimentKnee(x, points, models);
    if (k === null) continue;
    const distinct = new Set(k.measured.series.map((s) => s.load)).size;
    const pastAtOnlyLoad = [k.measured, ...k.predicted.map((p) => p.side)].some(
      (s) => s?.knee.kind === 'atOrBelow',
    );
    if (distinct >= 2 || pastAtOnlyLoad) out.push(k);
    else skippedSingleLoad.push(x.name);
  }
  return {
    factor: KNEE_FACTOR,
    definition: KNEE_DEFINITION,
    experiments: out,
    models: models.map((m) => summarize(out, m)),
    skippedSingleLoad,
  };
}
