/**
 * NVIDIA AIPerf exports (docs/import/aiperf.md): `profile_export.jsonl` (one record per
 * request, each metric with its unit) and the aggregate `profile_export_aiperf.json`
 * (early layout: metrics under `records`; newer: metrics at the top level).
 */
import { basename, dirname } from 'node:path/posix';
import { InputError } from '../errors.ts';
import { logFacts, serverFields } from './assemble.ts';
import { experimentName, type ImportContext, loadLabel } from './context.ts';
import { qpsPoint } from './points.ts';
import { at, isObject, type Json, numAt, parseJsonObject, strAt } from './read.ts';
import { addItl, measuredTokenStats } from './stats.ts';
import type { Bundle, ImportedExperiment, ImportFile, RequestRecord, SourceRef } from './types.ts';

const JSONL = /profile_export[^/]*\.jsonl$/;
const AGGREGATE = /profile_export[^/]*aiperf[^/]*\.json$/;

export function isAiperf(bundle: Bundle): boolean {
  return bundle.files.some((f) => JSONL.test(f.rel) || AGGREGATE.test(f.rel));
}

export function importAiperf(bundle: Bundle, ctx: ImportContext): ImportedExperiment[] {
  const dirs = [
    ...new Set(
      bundle.files.filter((f) => JSONL.test(f.rel) || AGGREGATE.test(f.rel)).map((f) => dirname(f.rel)),
    ),
  ].sort();
  if (dirs.length === 0)
    throw new InputError(`${bundle.name}: no AIPerf profile_export.jsonl or profile_export_aiperf.json`);
  return dirs.map((d, i) =>
    run(bundle, d, ctx, basename(d) === '.' ? bundle.name : basename(d), dirs.length, i),
  );
}

/** ms from a metric {value, unit}. */
function msOf(m: unknown): number | undefined {
  const v = numAt(m, 'value') ?? numAt(m, 'avg');
  if (v === undefined) return undefined;
  const unit = strAt(m, 'unit') ?? 'ms';
  const scale: Record<string, number> = { ns: 1e-6, us: 1e-3, ms: 1, s: 1000, sec: 1000 };
  return v * (scale[unit] ?? 1);
}

const TTFT = ['ttft', 'time_to_first_token'];
const LATENCY = ['request_latency'];
const ISL = ['input_sequence_length'];
const OSL = ['output_sequence_length'];

function metric(metrics: unknown, names: string[]): unknown {
  for (const n of names) if (isObject(metrics) && metrics[n] !== undefined) return metrics[n];
  return undefined;
}

function run(
  bundle: Bundle,
  dir: string,
  ctx: ImportContext,
  source: string,
  count: number,
  index: number,
): ImportedExperiment {
  const inDir = (re: RegExp) => bundle.files.find((f) => dirname(f.rel) === dir && re.test(f.rel));
  const jsonl = inDir(JSONL);
  const aggFile = inDir(AGGREGATE);
  const agg = aggFile ? parseJsonObject(aggFile) : {};
  const modelKey =
    at(agg, 'input_config.endpoint.model_names') !== undefined
      ? 'input_config.endpoint.model_names[0]'
      : 'user_config.endpoint.model_names[0]';
  const names = at(agg, 'input_config.endpoint.model_names') ?? at(agg, 'user_config.endpoint.model_names');
  const model = Array.isArray(names) && typeof names[0] === 'string' ? names[0] : undefined;
  const facts = model && aggFile ? { model: { value: model, file: aggFile.rel, key: modelKey } } : {};
  const concurrency =
    numAt(agg, 'input_config.loadgen.concurrency') ?? numAt(agg, 'user_config.loadgen.concurrency');
  const rate =
    numAt(agg, 'input_config.loadgen.request_rate') ?? numAt(agg, 'user_config.loadgen.request_rate') ?? null;
  const load = loadLabel([{ rate, maxConcurrency: concurrency }]);
  const name = experimentName(ctx, { model, client: 'aiperf', load }, source, count, index);
  const where = `${dir}: experiment "${name}"`;
  const server = serverFields(
    { ...logFacts(bundle, ctx.flags, dir === '.' ? '' : `${dir}/`), ...facts },
    ctx.flags,
    where,
  );
  const provenance: SourceRef[] = [...server.provenance];
  const records = jsonl ? jsonlRecords(jsonl) : null;
  // Aggregates: early layout under `records`, newer at the top level; each with avg/pNN and a unit.
  const aggMetrics = isObject(agg.records) ? agg.records : agg;
  const summary: Record<string, number> = {};
  for (const [m, list] of [
    ['ttft', TTFT],
    ['e2e', LATENCY],
  ] as const) {
    const d = metric(aggMetrics, [...list]);
    if (!isObject(d)) continue;
    const unit = strAt(d, 'unit') ?? 'ms';
    const put = (k: string, key: string) => {
      const v = numAt(d, key);
      if (v !== undefined) summary[`${m}_${k}_ms`] = msOf({ value: v, unit })!;
    };
    put('mean', 'avg');
    put('p50', 'p50');
    for (const p of [90, 95, 99]) put(`p${p}`, `p${p}`);
  }
  const osl = numAt(metric(aggMetrics, OSL), 'avg');
  addItl(summary, osl);
  const okCount = records
    ? records.filter((r) => r.ok).length
    : (numAt(metric(aggMetrics, ['request_count']), 'avg') ?? 0);
  const failed = records
    ? records.filter((r) => !r.ok).length
    : (numAt(metric(aggMetrics, ['error_request_count']), 'avg') ?? 0);
  const duration = numAt(metric(aggMetrics, ['benchmark_duration']), 'avg');
  const file = jsonl?.rel ?? aggFile!.rel;
  const r = qpsPoint(
    {
      label: 'run',
      file,
      rate,
      maxConcurrency:
        concurrency !== undefined && aggFile
          ? {
              value: concurrency,
              key: `${at(agg, 'input_config') ? 'input' : 'user'}_config.loadgen.concurrency`,
            }
          : null,
      achievedRate: duration ? okCount / duration : null,
      sent: okCount + failed,
      failed,
      records,
      summary,
      input:
        numAt(metric(aggMetrics, ISL), 'avg') !== undefined
          ? { mean: numAt(metric(aggMetrics, ISL), 'avg')! }
          : null,
      output: osl !== undefined ? { mean: osl } : null,
    },
    name,
    ctx,
    provenance,
  );
  if (!r.point) throw new InputError(`${where}: ${r.skipped}`);
  const ok = records?.filter((x) => x.ok) ?? [];
  const json = {
    experiment_name: name,
    ...server.fields,
    workload_config: { workload_family: 'aiperf' },
    ...(ok.length > 0 ? { measured_token_stats: measuredTokenStats(ok) } : {}),
    qps_sweeps: [r.point],
    provenance,
    imported_from: { format: 'aiperf', files: [jsonl?.rel, aggFile?.rel].filter(Boolean) },
  };
  const describe = `1 run as a qps point, ${r.trace ? 'per-request trace' : 'summary only'} (${failed} failed), KV blocks: ${server.kvSource}`;
  return { json, traces: r.trace ? [r.trace] : [], describe };
}

/** One JSON record per line; a record with `error` is a failed request. */
function jsonlRecords(f: ImportFile): RequestRecord[] {
  const lines = f
    .text()
    .split('\n')
    .filter((l) => l.trim().length > 0);
  return lines.map((line, i) => {
    let r: Json;
    try {
      r = JSON.parse(line) as Json;
    } catch (e) {
      throw new InputError(
        `${f.rel}: line ${i + 1}: not valid JSON: ${e instanceof Error ? e.message : String(e)}`,
      );
    }
    const m = r.metrics;
    const startNs =
      numAt(r, 'metadata.timestamp_ns') ??
      numAt(r, 'metadata.request_start_ns') ??
      numAt(m, 'min_request_timestamp.value');
    if (startNs === undefined)
      throw new InputError(`${f.rel}: line ${i + 1}: metadata.timestamp_ns: expected a number`);
    const input = numAt(metric(m, ISL), 'value');
    const output = numAt(metric(m, OSL), 'value');
    const ok = r.error == null && input !== undefined && output !== undefined;
    return {
      startS: startNs / 1e9,
      inputTokens: input ?? 0,
      outputTokens: output ?? 0,
      ttftMs: ok ? (msOf(metric(m, TTFT)) ?? null) : null,
      e2eMs: ok ? (msOf(metric(m, LATENCY)) ?? null) : null,
      ok,
    };
  });
}
