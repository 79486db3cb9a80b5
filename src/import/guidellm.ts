/**
 * guidellm benchmark reports (docs/import/guidellm.md): schema v1 (0.5: top-level `args`,
 * `benchmarks[]`) and v2 (0.8: top-level `config.spec`). Metrics `*_ms` in ms,
 * `request_latency` in s; request records (when sampled) give the exact stream.
 */
import { basename } from 'node:path/posix';
import { InputError } from '../errors.ts';
import { logFacts, serverFields } from './assemble.ts';
import { experimentName, type ImportContext, loadLabel } from './context.ts';
import { qpsPoint, type RunInput, type TokenSummary } from './points.ts';
import { at, isObject, type Json, numAt, parseJsonObject, strAt } from './read.ts';
import { addItl, measuredTokenStats } from './stats.ts';
import type { Bundle, ImportedExperiment, ImportFile, RequestRecord, SourceRef, TraceOut } from './types.ts';

/** metadata.version 1 or 2; older reports (0.2–0.4) have only `benchmarks`. */
function isReport(v: unknown): boolean {
  return (
    isObject(v) &&
    Array.isArray(v.benchmarks) &&
    v.benchmarks.length > 0 &&
    (v.benchmarks as unknown[]).every((b) => isObject(b) && isObject(b.metrics))
  );
}

const reports = (b: Bundle) =>
  b.files
    .filter((f) => f.rel.endsWith('.json'))
    .flatMap((f) => {
      try {
        const v = JSON.parse(f.text());
        return isReport(v) ? [{ f, j: v as Json }] : [];
      } catch {
        return [];
      }
    });

export function isGuidellm(bundle: Bundle): boolean {
  return reports(bundle).length > 0;
}

export function importGuidellm(bundle: Bundle, ctx: ImportContext): ImportedExperiment[] {
  const found = reports(bundle);
  if (found.length === 0) {
    const one = bundle.files.find((f) => f.rel.endsWith('.json'));
    if (one) parseJsonObject(one);
    throw new InputError(`${bundle.name}: no guidellm report (a JSON with benchmarks[].metrics)`);
  }
  return found.map(({ f, j }, i) => {
    const runs = (j.benchmarks as Json[]).map((b, bi) => runInput(f, b, bi));
    // A rate strategy's cap is the scheduler's own (recorded, not what drives the load).
    const load = loadLabel(
      runs.map((r) => ({
        rate: r.rate,
        maxConcurrency: typeof r.rate === 'number' ? null : r.maxConcurrency?.value,
      })),
    );
    const source = found.length === 1 ? bundle.name.replace(/\.json$/, '') : basename(f.rel, '.json');
    const { model } = modelOf(j);
    const name = experimentName(ctx, { model, client: 'guidellm', load }, source, found.length, i);
    return experiment(bundle, f, j, runs, name, ctx);
  });
}

/** The model the report names, and the key it is under. */
function modelOf(j: Json): { model: string | undefined; key: string } {
  const key = (numAt(j, 'metadata.version') ?? 1) >= 2 ? 'config.spec.backend.model' : 'args.model';
  const first = (j.benchmarks as Json[])[0];
  const model = strAt(j, key) ?? strAt(first, 'config.backend.model') ?? strAt(first, 'worker.backend_model');
  return { model, key };
}

function experiment(
  bundle: Bundle,
  f: ImportFile,
  j: Json,
  runs: RunInput[],
  name: string,
  ctx: ImportContext,
): ImportedExperiment {
  const version = numAt(j, 'metadata.version') ?? 1;
  const { model, key: modelKey } = modelOf(j);
  const facts = model ? { model: { value: model, file: f.rel, key: modelKey } } : {};
  const where = `${f.rel}: experiment "${name}"`;
  const server = serverFields({ ...logFacts(bundle, ctx.flags), ...facts }, ctx.flags, where);
  const provenance: SourceRef[] = [...server.provenance];
  const points: Record<string, unknown>[] = [];
  const traces: TraceOut[] = [];
  const skipped: string[] = [];
  const allOk: RequestRecord[] = [];
  for (const run of runs) {
    const r = qpsPoint(run, name, ctx, provenance);
    if (r.point) points.push(r.point);
    if (r.trace) traces.push(r.trace);
    if (r.skipped) skipped.push(r.skipped);
    allOk.push(...(r.trace?.rows ?? []));
  }
  if (points.length === 0)
    throw new InputError(
      `${where}: every request of every benchmark failed: nothing measured to import (${skipped.join('; ')})`,
    );
  const json = {
    experiment_name: name,
    ...server.fields,
    workload_config: {
      workload_family: 'guidellm',
      guidellm_version: strAt(j, 'metadata.guidellm_version') ?? null,
      report_schema: version,
    },
    ...(allOk.length > 0 ? { measured_token_stats: measuredTokenStats(allOk) } : {}),
    qps_sweeps: points,
    ...(skipped.length > 0 ? { skipped_points: skipped } : {}),
    provenance,
    imported_from: { format: 'guidellm', files: [f.rel] },
  };
  const describe = `${points.length} benchmarks as qps points (schema v${version})${skipped.length ? `, ${skipped.length} skipped` : ''}, ${traces.length > 0 ? 'per-request traces' : 'summary only'}, KV blocks: ${server.kvSource}`;
  return { json, traces, describe };
}

function runInput(f: ImportFile, b: Json, bi: number): RunInput {
  const key = `benchmarks[${bi}]`;
  const strategy = at(b, 'config.strategy');
  const type = strAt(strategy, 'type_') ?? strAt(strategy, 'kind') ?? 'unknown';
  const rate = numAt(strategy, 'rate') ?? (type === 'throughput' ? 'inf' : null);
  // Concurrent profiles keep `streams` requests in flight, synchronous ones one; any strategy may cap it.
  const limitKey = ['streams', 'max_concurrency'].find((k) => numAt(strategy, k) !== undefined);
  const maxConcurrency = limitKey
    ? { value: numAt(strategy, limitKey)!, key: `${key}.config.strategy.${limitKey}` }
    : type === 'synchronous'
      ? { value: 1, key: `${key}.config.strategy.type_ (synchronous)` }
      : null;
  const okCount = numAt(b, 'metrics.request_totals.successful') ?? 0;
  const failed =
    (numAt(b, 'metrics.request_totals.errored') ?? 0) + (numAt(b, 'metrics.request_totals.incomplete') ?? 0);
  const dist = (metric: string, scale: number) => {
    const d = at(b, `metrics.${metric}.successful`);
    const out: Record<string, number> = {};
    if (!isObject(d) || (numAt(d, 'count') ?? 0) === 0) return out;
    const put = (k: string, v: number | undefined) => {
      if (v !== undefined) out[k] = v * scale;
    };
    put('mean', numAt(d, 'mean'));
    put('p50', numAt(d, 'percentiles.p50') ?? numAt(d, 'median'));
    for (const p of [90, 95, 99]) put(`p${p}`, numAt(d, `percentiles.p${p}`));
    return out;
  };
  const summary: Record<string, number> = {};
  for (const [m, metric, scale] of [
    ['ttft', 'time_to_first_token_ms', 1],
    ['e2e', 'request_latency', 1000],
  ] as const)
    for (const [k, v] of Object.entries(dist(metric, scale))) summary[`${m}_${k}_ms`] = v;
  const outMean = numAt(b, 'metrics.output_token_count.successful.mean');
  addItl(summary, outMean);
  const tokens = (metric: string): TokenSummary | null => {
    const d = at(b, `metrics.${metric}.successful`);
    const mean = numAt(d, 'mean');
    if (mean === undefined || (numAt(d, 'count') ?? 0) === 0) return null;
    const t: TokenSummary = { mean };
    const sd = numAt(d, 'std_dev');
    const min = numAt(d, 'min');
    const max = numAt(d, 'max');
    if (sd !== undefined) t.stdev = sd;
    if (min !== undefined) t.min = min;
    if (max !== undefined) t.max = max;
    return t;
  };
  const requests = at(b, 'requests');
  const lists = isObject(requests) ? requests : {};
  const okList = Array.isArray(lists.successful) ? lists.successful : [];
  const badList = [
    ...(Array.isArray(lists.errored) ? lists.errored : []),
    ...(Array.isArray(lists.incomplete) ? lists.incomplete : []),
  ];
  const records =
    okList.length > 0
      ? [
          ...okList.map((r, i) => record(f, `${key}.requests.successful[${i}]`, r, true)),
          ...badList.map((r, i) => record(f, `${key}.requests.errored[${i}]`, r, false)),
        ]
      : null;
  const duration = numAt(b, 'duration');
  return {
    label: `${bi}-${type}${typeof rate === 'number' ? `-${rate}` : ''}`,
    file: f.rel,
    rate,
    maxConcurrency,
    achievedRate:
      numAt(b, 'metrics.requests_per_second.successful.mean') ?? (duration ? okCount / duration : null),
    sent: okCount + failed,
    failed,
    records,
    summary,
    input: tokens('prompt_token_count'),
    output: tokens('output_token_count'),
    extra: { guidellm_strategy: type },
  };
}

/** A request record: start in epoch s, TTFT in ms, latency in s. */
function record(f: ImportFile, where: string, r: unknown, ok: boolean): RequestRecord {
  const start =
    numAt(r, 'request_start_time') ??
    numAt(r, 'info.timings.request_start') ??
    numAt(r, 'info.started_at') ??
    numAt(r, 'scheduler_info.request_timings.request_start') ??
    numAt(r, 'start_time');
  const end = numAt(r, 'request_end_time') ?? numAt(r, 'info.timings.request_end') ?? numAt(r, 'end_time');
  const firstToken = numAt(r, 'info.timings.first_token_iteration') ?? numAt(r, 'first_token_time');
  if (start === undefined)
    throw new InputError(`${f.rel}: ${where}: request_start_time: expected a number (epoch seconds)`);
  const latency = numAt(r, 'request_latency') ?? (end !== undefined ? end - start : undefined);
  const input = numAt(r, 'prompt_tokens') ?? numAt(r, 'input_metrics.text_tokens') ?? 0;
  const output = numAt(r, 'output_tokens') ?? numAt(r, 'output_metrics.text_tokens') ?? 0;
  const ttft =
    numAt(r, 'time_to_first_token_ms') ??
    (firstToken !== undefined ? (firstToken - start) * 1000 : undefined);
  return {
    startS: start,
    inputTokens: input,
    outputTokens: output,
    ttftMs: ok ? (ttft ?? null) : null,
    e2eMs: ok && latency !== undefined ? latency * 1000 : null,
    ok: ok && input > 0 && output > 0,
  };
}
