import { absPercentError } from '../eval/stats.ts';
import type { EvalRun, ExperimentInfo, Metric, MetricStats, ModelStats, PointResult } from '../eval/types.ts';

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

/** A point status as reports print it ("n.a." for not_applicable). */
export function statusLabel(status: string): string {
  return status === 'not_applicable' ? 'n.a.' : status;
}

/** One sentence on which points the aggregates count. */
export const SCOPE_NOTE =
  'Aggregates count the whole-run points (summary and qps-<rate>; stage points are slices of a ' +
  'summary and are left out so a run is not counted twice), every seed as an entry.';

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
    `KV leak: ${o.kvLeak}; timeout: ${o.timeoutS} s`
  );
}
