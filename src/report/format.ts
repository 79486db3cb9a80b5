import { MIN_RANK_EXPERIMENTS } from '../eval/common-set.ts';
import { absPercentError } from '../eval/stats.ts';
import type {
  Comparison,
  EvalRun,
  ExperimentInfo,
  Gate,
  MetricStats,
  MetricVerdict,
  ModelStats,
  PointMeta,
  PointResult,
} from '../eval/types.ts';
import { FAILING_FRACTION, failedPercent, type Metric } from '../groundtruth/experiment.ts';
import type { LatencyModelName } from '../latency/types.ts';

/**
 * Text formatting shared by the terminal, markdown and HTML reports, so the three show the
 * same numbers. Only fixed-digit formats: the output must not depend on the locale.
 */

export const DASH = '—';

/** A percentage with one decimal, e.g. "12.3%"; a dash where there is no value. */
export function pct(v: number | null | undefined): string {
  return v === null || v === undefined || !Number.isFinite(v) ? DASH : `${v.toFixed(1)}%`;
}

/** A signed percentage, e.g. "+4.5%" or "-0.3%", for bias. */
export function signedPct(v: number | null | undefined): string {
  if (v === null || v === undefined || !Number.isFinite(v)) return DASH;
  return `${v >= 0 ? '+' : ''}${v.toFixed(1)}%`;
}

/** A latency in ms with about four significant digits (ITLs are a few ms, E2Es thousands). */
export function ms(v: number | null | undefined): string {
  if (v === null || v === undefined || !Number.isFinite(v)) return DASH;
  const a = Math.abs(v);
  return v.toFixed(a >= 1000 ? 0 : a >= 100 ? 1 : a >= 10 ? 2 : 3);
}

/** predicted / measured, e.g. "0.0094x", "0.496x", "12.3x", "2781x" (0.496 must not read 0.50). */
export function ratio(v: number | null | undefined): string {
  if (v === null || v === undefined || !Number.isFinite(v)) return DASH;
  return `${v >= 100 ? v.toFixed(0) : v.toPrecision(v >= 0.1 ? 3 : 2)}x`;
}

/**
 * The ground truth's own flag on a point's experiment, as the tables' "ground truth" column
 * prints it ('' when none).
 */
export const groundTruthFlag = (meta: PointMeta): string => (meta.overloaded ? 'overloaded' : '');

/** "[lo, hi]" of a confidence interval. */
export function ci(v: [number, number] | null): string {
  return v === null ? DASH : `[${v[0].toFixed(1)}, ${v[1].toFixed(1)}]`;
}

/** "MAPE% (bias ±x%)": the compact cell of the summary tables. */
export function mapeBias(s: MetricStats | undefined): string {
  return s === undefined ? DASH : `${pct(s.mape)} (bias ${signedPct(s.meanPe)})`;
}

export const shortHash = (sha256: string): string => sha256.slice(0, 12);

/** Reasons are free text from errors: one line, bounded, for table cells. */
export function oneLine(text: string | undefined, limit = Number.POSITIVE_INFINITY): string {
  const flat = (text ?? '').replace(/\s+/g, ' ').trim();
  return flat.length > limit ? `${flat.slice(0, limit - 1)}…` : flat;
}

export function metricOf(stats: ModelStats, metric: Metric): MetricStats | undefined {
  return stats.metrics.find((s) => s.metric === metric);
}

/** Points that did not produce predictions, with their reasons, in run order. */
export function issuePoints(run: EvalRun): PointResult[] {
  return run.points.filter((p) => p.status !== 'ok');
}

/** Experiments whose total_kv_blocks was derived from GPU memory rather than given. */
export function derivedKvExperiments(run: EvalRun): ExperimentInfo[] {
  return run.experiments.filter((e) => e.meta.derivedKVBlocks);
}

/** "name (note)" of each experiment replayed otherwise than as it arrived: drawn arrivals, closed loops. */
export function replayNotes(run: EvalRun): string[] {
  return run.experiments.flatMap((e) => (e.meta.replayNote ? [`${e.name} (${e.meta.replayNote})`] : []));
}

/** A point status as reports print it ("n.a." for not_applicable). */
export function statusLabel(status: string): string {
  return status === 'not_applicable' ? 'n.a.' : status;
}

/** Which points the aggregates count, and which experiments they leave out and why. */
export function scopeNote(run: EvalRun): string {
  const base =
    'Aggregates count the whole-run points (summary and qps-<rate>; stage points are slices of a ' +
    'summary and are left out so a run is not counted twice), every seed as an entry.';
  const left = run.stats.leftOut;
  if (left.length === 0) return base;
  const named = left.map(
    (name) => `${name} (${failedPercent(run.experiments.find((e) => e.name === name)?.meta.failedFraction)})`,
  );
  return (
    `${base} Left out of them: ${named.join(', ')}, whose server failed more than ${100 * FAILING_FRACTION} % of its ` +
    'requests, so its latencies are censored by the client timeout (--include-failing counts it).'
  );
}

/** "measured / predicted (APE)" of one metric of one point, for the verbose tables. */
export function pointCell(measured: number | undefined, predicted: number | undefined): string {
  if (measured === undefined) return DASH;
  if (predicted === undefined) return `${ms(measured)} / ${DASH}`;
  return `${ms(measured)} / ${ms(predicted)} (${pct(absPercentError(predicted, measured))})`;
}

/** The run's settings in one line (summary.md, index.html, the terminal). */
export function optionsLine(run: EvalRun): string {
  const o = run.options;
  return (
    `latency models: ${o.latencyModels.join(', ')}; seeds: ${o.seeds}; workload form: ${o.workloadForm}; ` +
    `KV leak: ${o.kvLeak}; timeout: ${o.timeoutS} s` +
    (o.includeFailing
      ? `; experiments whose server failed > ${100 * FAILING_FRACTION} % of requests counted`
      : '') +
    (o.only ? `; only ${o.only.join(', ')}` : '') +
    (o.exclude ? `; excluding ${o.exclude.join(', ')}` : '') +
    transferNote(run.points)
  );
}

/** "; MFU tables transferred …: roofline-v2 on A100-80GB from H100", or '' when none was. */
function transferNote(points: readonly PointResult[]): string {
  const moved = transfers(points);
  if (moved.length === 0) return '';
  const list = moved.map((t) => `${t.latencyModel} on ${t.gpu} from ${t.from}`).join(', ');
  return `; MFU tables transferred (no measured tables for the GPU; --mfu-transfer): ${list}`;
}

/** Which latency model ran on transferred MFU tables on which GPU, and from which measured GPU. */
export function transfers(
  points: readonly PointResult[],
): { latencyModel: LatencyModelName; gpu: string; from: string }[] {
  const seen = new Map<string, { latencyModel: LatencyModelName; gpu: string; from: string }>();
  for (const p of points) {
    if (p.tablesFrom === undefined) continue;
    const t = { latencyModel: p.latencyModel, gpu: p.meta.gpu, from: p.tablesFrom };
    seen.set(`${t.latencyModel}\u0000${t.gpu}\u0000${t.from}`, t);
  }
  return [...seen.values()];
}

/**
 * A latency model's name as a table row over `points` shows it: marked where it ran on
 * transferred MFU tables, "roofline-v2 (transferred from H100)", naming the GPUs when only
 * some of its points did ("roofline-v2 (transferred from H100 on A100-80GB)").
 */
export function modelLabel(points: readonly PointResult[], model: LatencyModelName): string {
  const mine = points.filter((p) => p.latencyModel === model && p.status === 'ok');
  const moved = transfers(mine);
  if (moved.length === 0) return model;
  const from = [...new Set(moved.map((t) => t.from))].join(', ');
  const all = mine.every((p) => p.tablesFrom !== undefined);
  const on = all ? '' : ` on ${[...new Set(moved.map((t) => t.gpu))].join(', ')}`;
  return transferredLabel(model, `${from}${on}`);
}

/** "roofline-v2 (transferred from H100)", or the bare name where no tables were transferred. */
export function transferredLabel(model: LatencyModelName, from: string | undefined): string {
  return from === undefined ? model : `${model} (transferred from ${from})`;
}

/** "blackbox: 6 of 15 experiments (6 of 15 points)": one model's coverage of the run. */
export function coverageText(run: EvalRun, model: LatencyModelName): string {
  const c = run.stats.common;
  const mine = c.coverage.find((x) => x.latencyModel === model);
  const experiments = `${mine?.experiments ?? 0} of ${c.scope.experiments} experiments`;
  return mine?.points === mine?.experiments && c.scope.points === c.scope.experiments
    ? `${model}: ${experiments}`
    : `${model}: ${experiments} (${mine?.points ?? 0} of ${c.scope.points} points)`;
}

/**
 * The headline in one sentence: which models, on how many experiments and points, and which
 * models are left out of it (low coverage, or no ok point) with their coverage.
 */
export function commonSetLine(run: EvalRun): string {
  const c = run.stats.common;
  if (c.models.length === 0) return 'Fair comparison: no latency model produced an ok point.';
  const on = `Fair comparison on ${c.experiments.length} of the ${c.scope.experiments} experiment(s), n = ${c.points} point(s)`;
  const none = c.excluded.length > 0 ? ` ${c.excluded.join(', ')} left out: no ok point.` : '';
  if (c.lowCoverage.length === 0)
    return `${on}, that every compared model ran: ${c.models.join(', ')}.${none}`;
  const low = c.lowCoverage.map((m) => coverageText(run, m)).join('; ');
  return (
    `${on}, that ${c.models.join(', ')} all ran. Left out of it for low coverage, and compared pairwise ` +
    `below: ${low}.${none}`
  );
}

/** The heading of a paired comparison: "blackbox vs roofline-v1 on the 6 experiment(s), n = 6 point(s), both ran:". */
export function pairLine(c: Comparison): string {
  const [a, b] = c.models;
  return c.points === 0
    ? `${a} vs ${b}: no point both ran.`
    : `${a} vs ${b} on the ${c.experiments.length} experiment(s), n = ${c.points} point(s), both ran:`;
}

/** A heading and its verdict lines: the headline first, then each paired comparison. */
export interface VerdictBlock {
  heading: string;
  lines: string[];
}

/** The verdict as every report prints it, one line per metric of `metrics` under each heading. */
export function verdictBlocks(run: EvalRun, metrics: readonly Metric[]): VerdictBlock[] {
  const c = run.stats.common;
  const lines = (vs: readonly MetricVerdict[]) =>
    vs.filter((v) => metrics.includes(v.metric)).map(verdictLine);
  return [
    { heading: commonSetLine(run), lines: lines(c.verdicts) },
    ...c.pairs.map((p) => ({ heading: pairLine(p), lines: lines(p.verdicts) })),
  ];
}

/**
 * "e2e_mean: roofline-v1 best, 8.2% MAPE, 16.8 pp below blackbox (95% CI of the lead [3.1, 30.2])",
 * or, on too few experiments, "too few experiments to rank" with every model's MAPE.
 */
export function verdictLine(v: MetricVerdict): string {
  if (!v.ranked || v.best === null) {
    const mapes = v.mapes.map((m) => `${m.latencyModel} ${pct(m.mape)}`).join(', ');
    return (
      `${v.metric}: too few experiments to rank (${v.experiments} experiment(s), n = ${v.n}; ` +
      `${MIN_RANK_EXPERIMENTS} needed); MAPE ${mapes}`
    );
  }
  const head = `${v.metric}: ${v.best} best, ${pct(v.bestMape)} MAPE`;
  if (v.runnerUp === null || v.gapPp === null) return `${head} (the only model compared), n = ${v.n}`;
  const ci = v.gapCi95 === null ? '' : ` (95% CI of the lead ${ci95(v.gapCi95)} pp)`;
  const unclear = v.gapCi95 !== null && v.gapCi95[0] <= 0 ? '; not a clear lead' : '';
  return `${head}, ${v.gapPp.toFixed(1)} pp below ${v.runnerUp}${ci}, n = ${v.n}${unclear}`;
}

const ci95 = (v: [number, number]) => `[${v[0].toFixed(1)}, ${v[1].toFixed(1)}]`;

/** What the --fail-above gate found, one line per crossing (none: one line saying so). */
export function gateLines(g: Gate): string[] {
  if (g.crossed.length === 0) {
    return [`--fail-above ${g.failAbove}%: passed (no MAPE of ${g.metrics.join(', ')} above it)`];
  }
  return g.crossed.map(
    (c) => `--fail-above ${g.failAbove}%: ${c.latencyModel} ${c.metric} MAPE ${pct(c.mape)} is above it`,
  );
}
