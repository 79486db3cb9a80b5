/**
 * inference-perf run folders (docs/import/inference-perf.md): `results/{summary,stage_N}_
 * lifecycle_metrics.json` (seconds), `results/config.yaml` (what ran), `exp-config.yaml` or
 * `manifests.yaml` (the server), a vLLM log, and `per_request_lifecycle_metrics.json`
 * (either layout) when the run kept it.
 */
import { basename, dirname } from 'node:path/posix';
import { InputError } from '../errors.ts';
import { STAGE_LOAD_TYPES } from '../workload/stage-arrivals.ts';
import { logFacts, serverFields, slug, sourceOf } from './assemble.ts';
import { experimentName, type ImportContext, loadLabel } from './context.ts';
import { manifestFacts } from './manifest-facts.ts';
import {
  at,
  isObject,
  type Json,
  numAt,
  parseJson,
  parseJsonObject,
  parseYamlObject,
  strAt,
} from './read.ts';
import { mergeFacts } from './server-facts.ts';
import { itlMeanMs } from './stats.ts';
import type {
  Bundle,
  ImportedExperiment,
  ImportFile,
  RequestRecord,
  ServerFacts,
  SourceRef,
} from './types.ts';

const SUMMARY = 'summary_lifecycle_metrics.json';

export function isInferencePerf(bundle: Bundle): boolean {
  return bundle.files.some((f) => f.rel.endsWith(SUMMARY));
}

export function importInferencePerf(bundle: Bundle, ctx: ImportContext): ImportedExperiment[] {
  const summaries = bundle.files.filter((f) => f.rel.endsWith(SUMMARY));
  if (summaries.length === 0)
    throw new InputError(`${bundle.name}: no ${SUMMARY} (not an inference-perf run)`);
  return summaries.map((s, i) => importRun(bundle, s, ctx, summaries.length, i));
}

function importRun(
  bundle: Bundle,
  summaryFile: ImportFile,
  ctx: ImportContext,
  count: number,
  index: number,
) {
  const resultsDir = dirname(summaryFile.rel);
  const prefix = basename(summaryFile.rel).slice(0, -SUMMARY.length);
  const runDir = basename(resultsDir) === 'results' ? dirname(resultsDir) : resultsDir;
  const file = (rel: string) => bundle.files.find((f) => f.rel === rel);
  const provenance: SourceRef[] = [];

  // What ran: results/config.yaml (resolved by inference-perf), else the run's config, else the profile.
  const configFile = file(`${resultsDir}/config.yaml`) ?? file(`${runDir}/config.yaml`);
  const profileFile = file(`${runDir}/profile.yaml`);
  const config = configFile ? parseYamlObject(configFile) : profileFile ? parseYamlObject(profileFile) : {};
  const configRel = configFile?.rel ?? profileFile?.rel;

  const summary = parseJsonObject(summaryFile);
  const stageFiles = bundle.files
    .map((f) => ({
      f,
      m: new RegExp(
        `^${escapeRe(resultsDir)}/${escapeRe(prefix)}stage_(\\d+)_lifecycle_metrics\\.json$`,
      ).exec(f.rel),
    }))
    .filter((x) => x.m !== null)
    .map((x) => ({ f: x.f, index: Number(x.m![1]) }))
    .sort((a, b) => a.index - b.index);
  const configStages = (at(config, 'load.stages') as unknown[] | undefined) ?? [];
  const sweepDuration = numAt(config, 'load.sweep.stage_duration');

  const stages = stageFiles.map(({ f, index: si }) => {
    const j = parseJsonObject(f);
    const cfg = configStages[si];
    const requested = numAt(j, 'load_summary.requested_rate') ?? numAt(cfg, 'rate');
    const achieved = numAt(j, 'load_summary.achieved_rate');
    const send = numAt(j, 'load_summary.send_duration');
    const duration = numAt(cfg, 'duration') ?? sweepDuration ?? send;
    return {
      stage_index: si,
      ...(requested !== undefined ? { rate: requested } : {}),
      ...(duration !== undefined ? { duration_s: duration } : {}),
      ...counts(j),
      ...(requested !== undefined ? { requested_rate: requested } : {}),
      ...(achieved !== undefined ? { achieved_rate: achieved } : {}),
      ...(send !== undefined ? { send_duration_s: send } : {}),
      ...lifecycleMeasured(j),
    };
  });
  const summaryOut = { stage_index: -1, ...counts(summary), ...lifecycleMeasured(summary) };
  const measured = (x: Record<string, unknown>) =>
    x.ttft_mean_ms !== undefined || x.e2e_mean_ms !== undefined;
  if (!measured(summaryOut) && !stages.some(measured)) {
    throw new InputError(
      `${summaryFile.rel}: successes.count: every request failed (${summaryOut.num_failures} failures): nothing measured to import`,
    );
  }
  for (const s of stages) {
    if (!measured(s))
      Object.assign(s, {
        skipped: `every request of stage ${s.stage_index} failed (${s.num_failures} failures)`,
      });
  }
  provenance.push({
    field: 'summary',
    file: summaryFile.rel,
    key: 'successes / failures / load_summary (s -> ms)',
  });
  for (const { f, index: si } of stageFiles)
    provenance.push({
      field: `stages[${si}]`,
      file: f.rel,
      key: 'successes / failures / load_summary (s -> ms)',
    });

  // The server: exp-config.yaml, a manifest's container args, vLLM logs, then the client's config.
  const facts = mergeFacts(
    expConfigFacts(file(`${runDir}/exp-config.yaml`)),
    manifestFacts(file(`${runDir}/manifests.yaml`)),
    logFacts(bundle, ctx.flags, `${runDir}/`),
    clientFacts(config, configRel),
  );
  const server = serverFields(facts, ctx.flags, runDir);
  provenance.unshift(...server.provenance);
  const loadType = strAt(config, 'load.type');
  const load = loadLabel(
    stages.map((s) => ({ rate: s.rate ?? null })),
    loadType === 'poisson' ? 'poisson' : '',
  );
  const model = server.fields.model as string | null;
  const name = experimentName(ctx, { model, client: 'inference-perf', load }, basename(runDir), count, index);
  const where = `${runDir}: experiment "${name}"`;

  const perRequest = file(`${resultsDir}/${prefix}per_request_lifecycle_metrics.json`);
  const keptRows =
    perRequest && !ctx.flags.summaryOnly ? perRequestRecords(perRequest, stageStarts(stages)) : [];
  const ok = keptRows.filter((r) => r.ok);
  const workload = workloadConfig(config, configRel, stages, profileFile, provenance, where, ok.length > 0);
  const traces = [];
  if (perRequest && ok.length > 0) {
    const ref = `${ctx.traceDir}/${slug(name)}/run.csv.gz`;
    traces.push({ ref, rows: ok });
    workload.trace = ref;
    provenance.push({
      field: 'workload_config.trace',
      file: perRequest.rel,
      key: '[].start_time / end_time / info (output_token_times)',
      note: `${ok.length} successful requests of ${keptRows.length}`,
    });
  }
  const tokenStats = {
    prompt_len: distStats(at(summary, 'successes.prompt_len')),
    output_len: distStats(at(summary, 'successes.output_len')),
  };
  const failures = summaryOut.num_failures ?? 0;
  const sent = summaryOut.num_sent ?? summaryOut.num_requests ?? 0;
  const json = {
    experiment_name: name,
    ...server.fields,
    workload_config: workload,
    measured_token_stats: tokenStats,
    stages,
    summary: summaryOut,
    flags: {
      overloaded:
        stages.some(
          (s) => s.achieved_rate !== undefined && s.rate !== undefined && s.achieved_rate < 0.95 * s.rate,
        ) || failures > 0,
      failure_fraction: sent > 0 ? failures / sent : 0,
    },
    provenance,
    imported_from: { format: 'inference-perf', path: runDir },
  };
  const describe = `${stages.length} stages + summary, ${traces.length > 0 ? 'per-request trace' : 'summary only'}, KV blocks: ${server.kvSource}`;
  return { json, traces, describe } satisfies ImportedExperiment;
}

function escapeRe(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

function counts(j: Json) {
  const ok = numAt(j, 'successes.count') ?? 0;
  const failed = numAt(j, 'failures.count') ?? 0;
  return { num_requests: ok, num_failures: failed, num_sent: numAt(j, 'load_summary.count') ?? ok + failed };
}

const ms = (v: number | undefined) => (v === undefined ? undefined : v * 1000);

/** Measured metrics of one lifecycle file (seconds → ms), in the ground truth's names. */
export function lifecycleMeasured(j: Json): Record<string, number | Record<string, number> | undefined> {
  if ((numAt(j, 'successes.count') ?? 0) === 0) return {};
  const lat = (name: string, p: string) => ms(numAt(j, `successes.latency.${name}.${p}`));
  const out: Record<string, number | Record<string, number> | undefined> = {};
  const dist = (prefix: string, name: string, ps: [string, string][]) => {
    for (const [key, p] of ps) {
      const v = lat(name, p);
      if (v !== undefined) out[`${prefix}_${key}_ms`] = v;
    }
  };
  const full: [string, string][] = [
    ['mean', 'mean'],
    ['p50', 'median'],
    ['p90', 'p90'],
    ['p95', 'p95'],
    ['p99', 'p99'],
  ];
  dist('ttft', 'time_to_first_token', full);
  const itl = itlMeanMs(
    lat('request_latency', 'mean') ?? null,
    lat('time_to_first_token', 'mean') ?? null,
    numAt(j, 'successes.output_len.mean') ?? null,
  );
  if (itl !== null) out.itl_mean_ms = itl;
  dist('e2e', 'request_latency', full);
  // inference-perf's own ITL counts about two entries per token: kept, never used as ITL.
  const ip: [string, string][] = [
    ['mean', 'mean'],
    ['p90', 'p90'],
    ['p99', 'p99'],
  ];
  dist('ip_inter_token_latency', 'inter_token_latency', ip);
  dist('ip_time_per_output_token', 'time_per_output_token', ip);
  const tp = at(j, 'successes.throughput');
  if (isObject(tp)) {
    const t: Record<string, number> = {};
    for (const k of [
      'requests_per_sec',
      'input_tokens_per_sec',
      'output_tokens_per_sec',
      'total_tokens_per_sec',
    ]) {
      const v = numAt(tp, k);
      if (v !== undefined) t[k] = v;
    }
    out.throughput = t;
  }
  return out;
}

function distStats(d: unknown) {
  if (!isObject(d) || numAt(d, 'mean') === undefined) return null;
  const pick: Record<string, number> = {};
  for (const [k, src] of [
    ['mean', 'mean'],
    ['min', 'min'],
    ['p10', 'p10'],
    ['median', 'median'],
    ['p90', 'p90'],
    ['max', 'max'],
  ]) {
    const v = numAt(d, src!);
    if (v !== undefined) pick[k!] = v;
  }
  return pick;
}

function expConfigFacts(f: ImportFile | undefined): ServerFacts {
  if (!f) return {};
  const y = parseYamlObject(f);
  const facts: ServerFacts = {};
  const num = (key: string) => {
    const v = numAt(y, key);
    return v === undefined ? undefined : { value: v, file: f.rel, key };
  };
  const model = strAt(y, 'model');
  if (model) facts.model = { value: model, file: f.rel, key: 'model' };
  const pairs = [
    ['tp', 'tensor_parallelism'],
    ['tp', 'tensor_parallel_size'],
    ['maxNumSeqs', 'max_num_seqs'],
    ['maxNumBatchedTokens', 'max_num_batched_tokens'],
    ['maxModelLen', 'max_model_len'],
    ['gpuMemoryUtilization', 'gpu_memory_utilization'],
    ['blockSize', 'block_size'],
  ] as const;
  for (const [field, key] of pairs) {
    const v = num(key);
    if (v && !facts[field]) facts[field] = v;
  }
  return facts;
}

/** The client's view of the server: only the model name it sent. */
function clientFacts(config: Json, rel: string | undefined): ServerFacts {
  const model =
    strAt(config, 'server.model_name') ?? strAt(config, 'tokenizer.pretrained_model_name_or_path');
  return model && rel ? { model: { value: model, file: rel, key: 'server.model_name' } } : {};
}

interface StageOut {
  stage_index: number;
  rate?: number;
  duration_s?: number;
  achieved_rate?: number;
  send_duration_s?: number;
}

function workloadConfig(
  config: Json,
  rel: string | undefined,
  stages: StageOut[],
  profileFile: ImportFile | undefined,
  provenance: SourceRef[],
  where: string,
  hasTrace: boolean,
): Record<string, unknown> {
  const type = strAt(config, 'data.type');
  const sp = at(config, 'data.shared_prefix');
  const wc: Record<string, unknown> = {};
  if ((type === 'shared_prefix' || type === 'sharedPrefix') && isObject(sp) && rel) {
    wc.type = 'inference_perf_shared_prefix';
    const loadType = strAt(config, 'load.type') ?? 'constant';
    const replayable = (STAGE_LOAD_TYPES as readonly string[]).includes(loadType);
    if (!replayable && !hasTrace)
      throw new InputError(
        `${where}: ${rel}: load.type: '${loadType}': a staged replay needs ${STAGE_LOAD_TYPES.join(' or ')} load (or a per_request_lifecycle_metrics.json)`,
      );
    const limit = workerLimit(config, rel, provenance);
    if (limit !== undefined) wc.max_concurrency = limit;
    if (replayable) {
      wc.resolved_by_inference_perf = {
        shared_prefix: {
          num_groups: numAt(sp, 'num_groups') ?? numAt(sp, 'num_unique_system_prompts'),
          num_prompts_per_group:
            numAt(sp, 'num_prompts_per_group') ?? numAt(sp, 'num_users_per_system_prompt'),
          system_prompt_len: numAt(sp, 'system_prompt_len'),
          question_len: numAt(sp, 'question_len'),
          output_len: numAt(sp, 'output_len'),
        },
        load_type: loadType,
        stages: replayStages(stages, limit !== undefined, provenance),
        ...(numAt(config, 'load.num_workers') !== undefined
          ? { num_workers: numAt(config, 'load.num_workers') }
          : {}),
        ...(numAt(config, 'load.worker_max_concurrency') !== undefined
          ? { worker_max_concurrency: numAt(config, 'load.worker_max_concurrency') }
          : {}),
      };
      provenance.push(
        sourceOf('workload_config.resolved_by_inference_perf', {
          file: rel,
          key: 'data.shared_prefix, load',
        }),
      );
      if (loadType === 'poisson')
        provenance.push({
          field: 'workload_config.resolved_by_inference_perf.load_type',
          file: rel,
          key: 'load.type',
          note: 'poisson: the replay draws Poisson arrivals at each stage rate (seeded), not the run’s own',
        });
    }
  } else if (rel) {
    wc.type = 'inference_perf_shared_prefix';
    wc.data_type = type ?? null;
  }
  if (profileFile) {
    const p = parseYamlObject(profileFile);
    const psp = at(p, 'data.shared_prefix');
    if (isObject(psp) && psp.num_unique_system_prompts !== undefined) {
      wc.inference_perf = { shared_prefix: psp, stages: at(p, 'load.stages') };
      provenance.push(
        sourceOf('workload_config.inference_perf', {
          file: profileFile.rel,
          key: 'data.shared_prefix, load.stages (submitted profile)',
        }),
      );
    }
  }
  const api = at(config, 'api');
  const ignoreEos = at(config, 'server.ignore_eos');
  if (isObject(api) || ignoreEos !== undefined)
    wc.api = {
      type: isObject(api) ? (api.type ?? null) : null,
      streaming: isObject(api) ? (api.streaming ?? null) : null,
      ignore_eos: ignoreEos ?? null,
    };
  return wc;
}

/**
 * inference-perf's limit on requests in flight: `num_workers` workers of
 * `worker_max_concurrency` each (both stated, else none is recorded).
 */
function workerLimit(config: Json, rel: string, provenance: SourceRef[]): number | undefined {
  const workers = numAt(config, 'load.num_workers');
  const each = numAt(config, 'load.worker_max_concurrency');
  if (workers === undefined || each === undefined) return undefined;
  provenance.push({
    field: 'workload_config.max_concurrency',
    file: rel,
    key: 'load.num_workers × load.worker_max_concurrency',
    note: `${workers} workers × ${each} requests each: the replay keeps at most ${workers * each} in flight`,
  });
  return workers * each;
}

/**
 * The stages as replayed. A stage the client could not drive at its rate was held back by
 * its worker limit: with the limit known it is replayed at the requested rate as a closed
 * loop; without, at the rate it achieved for its send duration.
 */
function replayStages(stages: StageOut[], limited: boolean, provenance: SourceRef[]) {
  return stages.map((s) => {
    const slow = s.achieved_rate !== undefined && s.rate !== undefined && s.achieved_rate < 0.95 * s.rate;
    if (!slow || limited) return { rate: s.rate, duration: s.duration_s };
    provenance.push({
      field: `workload_config.resolved_by_inference_perf.stages[${s.stage_index}].rate`,
      key: 'load_summary.achieved_rate',
      note: `requested ${s.rate} req/s, achieved ${s.achieved_rate} over ${s.send_duration_s} s: replayed at the achieved rate for the send duration`,
    });
    return { rate: s.achieved_rate, duration: s.send_duration_s ?? s.duration_s };
  });
}

/** Stage start offsets (s) from the stages' durations, for assigning requests to stages. */
function stageStarts(stages: StageOut[]): number[] {
  const starts: number[] = [];
  let t = 0;
  for (const s of stages) {
    starts.push(t);
    t += s.duration_s ?? 0;
  }
  return starts;
}

/** `per_request_lifecycle_metrics.json`: older (`info.output_tokens`) and newer (`info.response_metrics`) layouts. */
export function perRequestRecords(f: ImportFile, starts: number[]): RequestRecord[] {
  const list = parseJson(f);
  if (!Array.isArray(list)) throw new InputError(`${f.rel}: expected a JSON list of requests`);
  const t0 = Math.min(...list.map((r) => numAt(r, 'start_time') ?? Number.POSITIVE_INFINITY));
  return list.map((r, i) => {
    const start = numAt(r, 'start_time');
    const end = numAt(r, 'end_time');
    if (start === undefined) throw new InputError(`${f.rel}: [${i}].start_time: expected a number`);
    const input =
      numAt(r, 'info.input_tokens') ??
      numAt(r, 'info.request_metrics.text.input_tokens') ??
      numAt(r, 'info.request_metrics.input_tokens');
    const output = numAt(r, 'info.output_tokens') ?? numAt(r, 'info.response_metrics.output_tokens');
    const times = (at(r, 'info.output_token_times') ??
      at(r, 'info.response_metrics.output_token_times')) as unknown;
    const first = Array.isArray(times) && typeof times[0] === 'number' ? times[0] : undefined;
    const ok = at(r, 'error') == null && input !== undefined && output !== undefined;
    if (at(r, 'error') == null && (input === undefined || output === undefined))
      throw new InputError(
        `${f.rel}: [${i}].info: no input/output token counts (info.input_tokens / info.request_metrics.text.input_tokens, info.output_tokens / info.response_metrics.output_tokens)`,
      );
    const offset = start - t0;
    let stage = 0;
    for (let s = 0; s < starts.length; s++) if (offset >= starts[s]! - 1e-9) stage = s;
    return {
      startS: start,
      inputTokens: input ?? 0,
      outputTokens: output ?? 0,
      ttftMs: first === undefined ? null : (first - start) * 1000,
      e2eMs: end === undefined ? null : (end - start) * 1000,
      ok,
      ...(starts.length > 0 ? { stage } : {}),
    };
  });
}
