/**
 * `vllm bench serve --save-result [--save-detailed]` (and the older benchmark_serving.py)
 * result files (docs/import/vllm-bench.md): summaries in ms, per-request arrays in seconds.
 * Files of one folder form one experiment with a point per rate (one experiment per file
 * when rates repeat).
 */
import { basename, dirname } from 'node:path/posix';
import { InputError } from '../errors.ts';
import { logFacts, serverFields } from './assemble.ts';
import { experimentName, type ImportContext, loadLabel } from './context.ts';
import { failureFlags, qpsPoint, type RunInput } from './points.ts';
import { at, isObject, type Json, numAt, strAt } from './read.ts';
import { factsFromSettings, mergeFacts } from './server-facts.ts';
import { addItl, measuredTokenStats } from './stats.ts';
import type {
  Bundle,
  ImportedExperiment,
  ImportFile,
  RequestRecord,
  ServerFacts,
  SourceRef,
  TraceOut,
} from './types.ts';

/** Python's json writes inf/nan bare; JSON.parse does not accept them. */
function parseBenchJson(f: ImportFile): Json | null {
  let v: unknown;
  try {
    v = JSON.parse(f.text().replace(/:\s*(-?Infinity|NaN)\b/g, ': "$1"'));
  } catch {
    return null;
  }
  return isBenchResult(v) ? (v as Json) : null;
}

function isBenchResult(v: unknown): boolean {
  return (
    typeof v === 'object' &&
    v !== null &&
    typeof (v as Json).completed === 'number' &&
    (typeof (v as Json).mean_ttft_ms === 'number' || Array.isArray((v as Json).ttfts))
  );
}

const benchFiles = (b: Bundle) => b.files.filter((f) => f.rel.endsWith('.json'));

export function isVllmBench(bundle: Bundle): boolean {
  return benchFiles(bundle).some((f) => parseBenchJson(f) !== null);
}

export function importVllmBench(bundle: Bundle, ctx: ImportContext): ImportedExperiment[] {
  const runs = benchFiles(bundle).flatMap((f) => {
    const j = parseBenchJson(f);
    return j ? [{ f, j }] : [];
  });
  if (runs.length === 0)
    throw new InputError(`${bundle.name}: no vllm bench result JSON (needs "completed" and "mean_ttft_ms")`);
  const groups = new Map<string, typeof runs>();
  for (const r of runs) groups.set(dirname(r.f.rel), [...(groups.get(dirname(r.f.rel)) ?? []), r]);
  const sets: (typeof runs)[] = [];
  for (const g of groups.values()) {
    const rates = g.map((r) => String(r.j.request_rate));
    if (new Set(rates).size === rates.length) sets.push(g);
    else sets.push(...g.map((r) => [r]));
  }
  return sets.map((set, i) => {
    const dir = dirname(set[0]!.f.rel);
    const source = set.length === 1 || dir === '.' ? stem(set[0]!.f.rel) : basename(dir);
    const load = loadLabel(
      bySendRate(set).map(({ j }) => ({
        rate: rateOf(j),
        maxConcurrency: limitOf(j),
        requests: numAt(j, 'num_prompts'),
      })),
    );
    const model = strAt(set[0]!.j, 'model_id') ?? strAt(set[0]!.j, 'model');
    const name = experimentName(ctx, { model, client: 'vllm-bench', load }, source, sets.length, i);
    return experiment(bundle, set, name, ctx);
  });
}

/** The runs by request rate (inf last), then file name. */
function bySendRate<T extends { f: ImportFile; j: Json }>(set: readonly T[]): T[] {
  const r = (j: Json) => {
    const x = rateOf(j);
    return x === 'inf' ? Number.POSITIVE_INFINITY : x;
  };
  return [...set].sort((a, b) => r(a.j) - r(b.j) || a.f.rel.localeCompare(b.f.rel));
}

/** `--max-concurrency` (null, or absent in older files: no limit). */
function limitOf(j: Json): number | null {
  const n = numAt(j, 'max_concurrency');
  return n !== undefined && n >= 1 ? n : null;
}

/** A launcher's JSON beside the results (e.g. `{ "config": { "gpu_memory_utilization": 0.85 } }`): vLLM args it records. */
function sidecarFacts(f: ImportFile): ServerFacts {
  let v: unknown;
  try {
    v = JSON.parse(f.text());
  } catch {
    return {};
  }
  const config = at(v, 'config') ?? at(v, 'server_config') ?? at(v, 'vllm_config');
  return isObject(config) ? factsFromSettings(config, f.rel, 'config') : {};
}

const stem = (rel: string) => basename(rel).replace(/\.json$/, '');

function rateOf(j: Json): number | 'inf' {
  const r = j.request_rate;
  if (typeof r === 'number' && Number.isFinite(r)) return r;
  if (typeof r === 'string' && Number.isFinite(Number(r))) return Number(r);
  return 'inf';
}

function experiment(
  bundle: Bundle,
  set: { f: ImportFile; j: Json }[],
  name: string,
  ctx: ImportContext,
): ImportedExperiment {
  const where = `${dirname(set[0]!.f.rel)}: experiment "${name}"`;
  const first = set[0]!;
  const model = strAt(first.j, 'model_id') ?? strAt(first.j, 'model');
  const facts = {
    ...(model
      ? { model: { value: model, file: first.f.rel, key: strAt(first.j, 'model_id') ? 'model_id' : 'model' } }
      : {}),
  };
  const dir = dirname(first.f.rel);
  const sidecars = bundle.files.filter(
    (f) => dirname(f.rel) === dir && f.rel.endsWith('.json') && !set.some((r) => r.f === f),
  );
  const server = serverFields(
    mergeFacts(facts, logFacts(bundle, ctx.flags), ...sidecars.map(sidecarFacts)),
    ctx.flags,
    where,
  );
  const provenance: SourceRef[] = [...server.provenance];
  const sorted = bySendRate(set);
  const points: Record<string, unknown>[] = [];
  const traces: TraceOut[] = [];
  const skipped: string[] = [];
  const allOk: RequestRecord[] = [];
  let roleChunks = 0;
  for (const { f, j } of sorted) {
    const run = runInput(f, j);
    roleChunks += run.roleChunks;
    const r = qpsPoint(run.input, name, ctx, provenance);
    if (r.point) points.push(r.point);
    if (r.trace) traces.push(r.trace);
    if (r.skipped) skipped.push(r.skipped);
    allOk.push(...(run.input.records ?? []).filter((x) => x.ok));
  }
  if (points.length === 0)
    throw new InputError(
      `${where}: every request of every run failed: nothing measured to import (${skipped.join('; ')})`,
    );
  if (roleChunks > 0)
    provenance.push({
      field: 'ttft',
      key: 'itls[0]',
      note: `openai-chat role chunk: ${roleChunks} requests had one ITL entry per output token; the first (the role chunk) was added to TTFT`,
    });
  const json = {
    experiment_name: name,
    ...server.fields,
    workload_config: {
      workload_family: 'vllm-bench',
      backend: strAt(first.j, 'backend') ?? strAt(first.j, 'endpoint_type') ?? null,
      burstiness: numAt(first.j, 'burstiness') ?? null,
    },
    ...(allOk.length > 0 ? { measured_token_stats: measuredTokenStats(allOk) } : {}),
    qps_sweeps: points,
    ...(skipped.length > 0 ? { skipped_points: skipped } : {}),
    flags: failureFlags(points),
    provenance,
    imported_from: { format: 'vllm-bench', files: sorted.map((r) => r.f.rel) },
  };
  const describe = `${points.length} qps points${skipped.length ? ` (${skipped.length} skipped)` : ''}, ${traces.length > 0 ? 'per-request traces' : 'summary only'}, KV blocks: ${server.kvSource}`;
  return { json, traces, describe };
}

/** One result file (or a printed block read as one) as a run: per-request records when the arrays are there. */
export function runInput(f: ImportFile, j: Json): { input: RunInput; roleChunks: number } {
  const completed = numAt(j, 'completed') ?? 0;
  const failed = numAt(j, 'failed') ?? Math.max(0, (numAt(j, 'num_prompts') ?? completed) - completed);
  const rate = rateOf(j);
  const summary: Record<string, number> = {};
  const put = (name: string, key: string) => {
    const v = numAt(j, key);
    if (v !== undefined) summary[name] = v;
  };
  for (const [m, k] of [
    ['ttft', 'ttft'],
    ['e2e', 'e2el'],
  ] as const) {
    put(`${m}_mean_ms`, `mean_${k}_ms`);
    put(`${m}_p50_ms`, `median_${k}_ms`);
    for (const p of [90, 95, 99]) put(`${m}_p${p}_ms`, `p${p}_${k}_ms`);
  }
  const outputs = numAt(j, 'total_output_tokens');
  addItl(summary, completed > 0 && outputs !== undefined ? outputs / completed : undefined);
  // Without E2E: the per-request TPOT mean (equal to the ITL when output lengths are).
  const tpot = numAt(j, 'mean_tpot_ms');
  if (summary.itl_mean_ms === undefined && tpot !== undefined) summary.itl_mean_ms = tpot;
  const extra: Record<string, unknown> = {};
  for (const k of [
    'mean_tpot_ms',
    'mean_itl_ms',
    'median_itl_ms',
    'p99_itl_ms',
    'duration',
    'request_throughput',
    'output_throughput',
  ])
    if (numAt(j, k) !== undefined) extra[`vllm_bench_${k}`] = numAt(j, k);
  const { records, roleChunks, arrivals } = perRequest(f, j);
  const limit = limitOf(j);
  const tokens = (key: string) =>
    completed > 0 && numAt(j, key) !== undefined ? { mean: numAt(j, key)! / completed } : null;
  return {
    roleChunks,
    input: {
      label: rate === 'inf' ? `rate-inf-${stem(f.rel)}` : `rate-${rate}`,
      file: f.rel,
      rate,
      maxConcurrency: limit === null ? null : { value: limit, key: 'max_concurrency' },
      achievedRate: numAt(j, 'request_throughput') ?? null,
      sent: completed + failed,
      failed,
      records,
      ...(records && arrivals !== 'saved' ? { arrivals } : {}),
      summary,
      input: tokens('total_input_tokens'),
      output: tokens('total_output_tokens'),
      extra,
    },
  };
}

/**
 * Per-request records from the arrays. Older clients (benchmark_serving.py before vLLM 0.9)
 * save no `start_times`: with `request_rate` inf every request was sent at once, so each
 * starts at 0 (exact); at a finite rate the send times are lost, and the
 * requests still give the metrics and the lengths.
 */
function perRequest(
  f: ImportFile,
  j: Json,
): { records: RequestRecord[] | null; roleChunks: number; arrivals: 'saved' | 'all-at-once' | 'lost' } {
  const {
    input_lens: ins,
    output_lens: outs,
    ttfts,
    itls,
    start_times: starts,
    errors,
  } = j as Record<string, unknown>;
  if (![ins, outs, ttfts, itls].every(Array.isArray))
    return { records: null, roleChunks: 0, arrivals: 'lost' };
  const n = (ttfts as unknown[]).length;
  const arrays = {
    input_lens: ins,
    output_lens: outs,
    itls,
    ...(Array.isArray(starts) ? { start_times: starts } : {}),
  };
  for (const [k, v] of Object.entries(arrays))
    if ((v as unknown[]).length !== n)
      throw new InputError(`${f.rel}: ${k}: ${(v as unknown[]).length} entries, ttfts has ${n}`);
  const burst = rateOf(j) === 'inf' && limitOf(j) === null;
  const startOf = (i: number) => (Array.isArray(starts) ? Number(starts[i]) : 0);
  const chat = /chat/.test(`${strAt(j, 'backend') ?? ''} ${strAt(j, 'endpoint_type') ?? ''}`);
  let roleChunks = 0;
  const records = Array.from({ length: n }, (_, i): RequestRecord => {
    const out = Number((outs as unknown[])[i]);
    const gaps = ((itls as unknown[])[i] as number[] | undefined) ?? [];
    let ttft = Number((ttfts as unknown[])[i]);
    const err = Array.isArray(errors) ? String(errors[i] ?? '') : '';
    const ok = err === '' && ttft > 0 && out > 0;
    const e2e = ttft + gaps.reduce((a, b) => a + b, 0);
    // openai-chat: the first streamed chunk carries only the role, so there is one gap per
    // output token and TTFT stops at the role chunk; the first token arrives one gap later.
    if (ok && chat && gaps.length === out && out > 0) {
      ttft += gaps[0]!;
      roleChunks++;
    }
    return {
      startS: startOf(i),
      inputTokens: Number((ins as unknown[])[i]),
      outputTokens: out,
      ttftMs: ok ? ttft * 1000 : null,
      e2eMs: ok ? e2e * 1000 : null,
      ok,
    };
  });
  const arrivals = Array.isArray(starts) ? 'saved' : burst ? 'all-at-once' : 'lost';
  return { records, roleChunks, arrivals };
}
