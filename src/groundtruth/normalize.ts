import { canonicalGpuName } from '../config/gpu-names.ts';
import { InputError } from '../errors.ts';
import { type DistributionParams, validateDistributionParams } from '../workload/distribution.ts';
import type { MeasuredLengths } from '../workload/measured-prefix.ts';
import type { LengthStats } from '../workload/quantile-lengths.ts';
import {
  type ExecutedSharedPrefix,
  parseExecutedSharedPrefix,
  parseInferencePerfProfile,
} from '../workload/shared-prefix.ts';
import { pointClient, replayNote, stagedClient } from './client-limits.ts';
import {
  DEFAULT_SEED,
  ENGINE_DEFAULTS,
  type Experiment,
  METRICS,
  type MeasuredPoint,
  type MeasuredWorkload,
  type Metric,
  type Replay,
  type TraceRow,
  type WorkloadForm,
} from './experiment.ts';
import { clientRecount, generatedTrace, impliedOutputMean, impliedReplay } from './implied-output.ts';
import { qpsWithLoad, stageWithLoad } from './point-load.ts';
import { MEASURED_FIELDS, type Measured, type RawExperiment, type RawQpsPoint } from './schema.ts';
import { schedulingMode } from './vllm-version.ts';

/**
 * `--workload-form`: how staged experiments are replayed. `measured` is `executed` with each
 * request's lengths drawn to match `measured_token_stats` where the experiment gives them.
 */
export const WORKLOAD_FORM_OPTIONS = ['measured', 'executed', 'profile'] as const;
export type WorkloadFormOption = (typeof WORKLOAD_FORM_OPTIONS)[number];

/** The option's value, old names included (`resolved` = `executed`); unknown: `measured`. */
export function workloadFormOption(v: unknown): WorkloadFormOption {
  if (v === 'resolved') return 'executed';
  return (WORKLOAD_FORM_OPTIONS as readonly unknown[]).includes(v) ? (v as WorkloadFormOption) : 'measured';
}

export interface NormalizeContext {
  /** `file: experiment "name"`, the prefix of every error. */
  where: string;
  form: WorkloadFormOption;
  /** Reads a trace named by a qps point (path as written in the file). */
  readTrace: (path: string) => TraceRow[];
}

const STAGED_TYPE = 'inference_perf_shared_prefix';

/** A validated raw experiment in the evaluator's terms (see experiment.ts). */
export function normalizeExperiment(raw: RawExperiment, ctx: NormalizeContext): Experiment {
  const v = raw.vllm_config;
  const wc = raw.workload_config;
  const staged = wc.type === STAGED_TYPE || raw.stages !== undefined || raw.summary != null;
  const base = {
    name: raw.experiment_name,
    model: raw.model,
    // One spelling per GPU (the alias table's), so reports group `A100-80` with `A100-80GB`.
    gpu: canonicalGpuName(raw.hardware ?? 'H100'),
    tp: v.tensor_parallelism,
    family: wc.workload_family ?? (staged ? 'shared-prefix' : 'distribution'),
    vllmVersion: v.vllm_version ?? null,
    seed: wc.seed ?? DEFAULT_SEED,
    failedFraction: failedFraction(raw),
    ...(raw.flags?.overloaded === true && { overloaded: true as const }),
    engine: {
      maxNumSeqs: v.max_num_seqs ?? ENGINE_DEFAULTS.maxNumSeqs,
      // Without chunked prefill vLLM raises the step budget to the context length.
      maxNumBatchedTokens:
        v.max_num_batched_tokens ??
        (v.enable_chunked_prefill === false
          ? Math.max(ENGINE_DEFAULTS.maxNumBatchedTokens, v.max_model_len ?? 0)
          : ENGINE_DEFAULTS.maxNumBatchedTokens),
      blockSize: raw.block_size ?? ENGINE_DEFAULTS.blockSize,
      totalKvBlocks: raw.total_kv_blocks ?? null,
      cpuKvBlocks: raw.cpu_kv_blocks ?? 0,
      gpuMemoryUtilization: v.gpu_memory_utilization ?? ENGINE_DEFAULTS.gpuMemoryUtilization,
      chunkedPrefill: v.enable_chunked_prefill ?? true,
      prefixCaching: v.enable_prefix_caching ?? true,
      asyncScheduling: schedulingMode(v.vllm_version ?? null, v.async_scheduling).async,
    },
  };
  const { workloadForm, replays } = staged ? stagedReplay(raw, ctx) : qpsReplays(raw, ctx);
  const drawn = replays.some(
    (r) =>
      (r.workload.kind === 'executed' || r.workload.kind === 'measured') &&
      r.workload.spec.load_type === 'poisson',
  );
  const note = replayNote(replays, drawn);
  return { ...base, workloadForm, replays, ...(note !== undefined && { replayNote: note }) };
}

/** Failed / sent requests of the run: the file's flag, else its summary's or stages' counts. */
function failedFraction(raw: RawExperiment): number | null {
  const flagged = raw.flags?.failure_fraction;
  if (typeof flagged === 'number') return flagged;
  const counted = (ms: readonly (Measured | null | undefined)[]) => {
    let failed = 0;
    let sent = 0;
    for (const m of ms) {
      if (typeof m?.num_failures !== 'number' || typeof m.num_sent !== 'number') return null;
      failed += m.num_failures;
      sent += m.num_sent;
    }
    return sent > 0 ? failed / sent : null;
  };
  return (raw.summary && counted([raw.summary])) ?? (raw.stages?.length ? counted(raw.stages) : null);
}

function measuredOf(m: Measured | null | undefined): Partial<Record<Metric, number>> {
  const out: Partial<Record<Metric, number>> = {};
  if (!m) return out;
  for (const metric of METRICS) {
    const value = m[MEASURED_FIELDS[metric]];
    if (typeof value === 'number') out[metric] = value;
  }
  return out;
}

/** Mean lengths a point's means stand in with where it reports no token rates. */
interface LengthMeans {
  prompt?: number | undefined;
  output?: number | undefined;
}

/**
 * Completed requests, mean lengths (token rates over the request rate) and request rate of a
 * point, as far as the file gives them; `fallback` stands in for lengths without rates.
 */
function workloadOf(
  m: Measured | null | undefined,
  fallback: LengthMeans = {},
): MeasuredWorkload | undefined {
  const w: MeasuredWorkload = {};
  const rps = m?.throughput?.requests_per_sec;
  const per = (tps: number | null | undefined) =>
    typeof tps === 'number' && typeof rps === 'number' && rps > 0 ? tps / rps : undefined;
  const prompt = per(m?.throughput?.input_tokens_per_sec) ?? fallback.prompt;
  const output = per(m?.throughput?.output_tokens_per_sec) ?? fallback.output;
  if (typeof m?.num_requests === 'number') w.completed = m.num_requests;
  if (prompt !== undefined) w.promptMean = prompt;
  if (output !== undefined) w.outputMean = output;
  if (typeof rps === 'number') w.requestsPerSec = rps;
  return Object.keys(w).length > 0 ? w : undefined;
}

function point(
  id: string,
  stage: number | null,
  m: Measured,
  w: MeasuredWorkload | undefined,
): MeasuredPoint {
  return { id, stage, measured: measuredOf(m), ...(w && { workload: w }) };
}

function stagedReplay(
  raw: RawExperiment,
  ctx: NormalizeContext,
): Pick<Experiment, 'workloadForm' | 'replays'> {
  const client = stagedClient(raw);
  const r = stagedReplayOf(raw, ctx);
  return client ? { ...r, replays: r.replays.map((x) => ({ ...x, client })) } : r;
}

function stagedReplayOf(
  raw: RawExperiment,
  ctx: NormalizeContext,
): Pick<Experiment, 'workloadForm' | 'replays'> {
  const wc = raw.workload_config;
  const points: MeasuredPoint[] = [];
  const stats = raw.measured_token_stats;
  // inference-perf's ITL fixes each point's mean output (impliedOutputMean); token stats win.
  if (raw.summary) {
    const summaryMeans = {
      prompt: stats?.prompt_len.mean,
      output: stats?.output_len.mean ?? impliedOutputMean(raw.summary),
    };
    points.push(point('summary', null, raw.summary, workloadOf(raw.summary, summaryMeans)));
  }
  const stages = raw.stages ?? [];
  const runFailed = stages.length === 1 ? failedFraction(raw) : null;
  stages.forEach((s, i) => {
    const stage = s.stage_index ?? i;
    const p = point(`stage-${stage}`, stage, s, workloadOf(s, { output: impliedOutputMean(s) }));
    points.push(stageWithLoad(p, s, profileStageRate(wc, i), runFailed));
  });
  const measuredPoints = points.filter((p) => Object.keys(p.measured).length > 0);
  if (measuredPoints.length === 0) {
    throw new InputError(`${ctx.where}: summary / stages: no measured metric (expected e.g. e2e_mean_ms)`);
  }
  const resolved = wc.resolved_by_inference_perf;
  const profile = wc.inference_perf;
  const at = (field: string) => `${ctx.where}: workload_config.${field}`;
  // An imported run that kept every request replays exactly those, unless the profile is asked for.
  if (wc.trace !== undefined && ctx.form !== 'profile') {
    const replay = generatedTrace(raw, ctx.readTrace(wc.trace));
    return { workloadForm: 'trace', replays: [{ id: 'run', ...replay, points: measuredPoints }] };
  }
  if (resolved === undefined && profile === undefined) {
    throw new InputError(`${at('inference_perf')}: required for a staged experiment`);
  }
  if (ctx.form === 'profile' && profile !== undefined) {
    const spec = parseInferencePerfProfile(profile, at('inference_perf'));
    const replay: Replay = { id: 'run', workload: { kind: 'profile', spec }, points: measuredPoints };
    return { workloadForm: 'profile-blis-expansion', replays: [replay] };
  }
  let spec: ExecutedSharedPrefix;
  let form: WorkloadForm;
  if (resolved !== undefined) {
    spec = parseExecutedSharedPrefix(resolved, at('resolved_by_inference_perf'));
    form = 'resolved';
  } else {
    spec = profileAsExecuted(parseInferencePerfProfile(profile, at('inference_perf')), at);
    form = 'profile-constant';
  }
  if (ctx.form === 'measured' && stats) {
    const lengths = measuredLengths(stats, ctx);
    const outputLen = spec.shared_prefix.output_len;
    const clientOutput = clientRecount(raw, outputLen, lengths.output.mean);
    // A re-count: every request generated output_len, and only the prompts follow the stats.
    const generated =
      clientOutput === undefined ? lengths : { prompt: lengths.prompt, output: constantLength(outputLen) };
    const replay: Replay = {
      id: 'run',
      workload: { kind: 'measured', spec, lengths: generated },
      points: measuredPoints,
      ...(clientOutput !== undefined && { clientOutput }),
    };
    return { workloadForm: 'measured', replays: [replay] };
  }
  const implied = ctx.form === 'measured' ? impliedReplay(spec, raw, measuredPoints) : undefined;
  if (implied) return { workloadForm: 'implied-output', replays: [implied] };
  return {
    workloadForm: form,
    replays: [{ id: 'run', workload: { kind: 'executed', spec }, points: measuredPoints }],
  };
}

/** Stage i's rate in the executed (else submitted) profile, where the stage itself names none. */
function profileStageRate(wc: RawExperiment['workload_config'], i: number): number | undefined {
  for (const spec of [wc.resolved_by_inference_perf, wc.inference_perf]) {
    const stages = (spec as { stages?: unknown } | undefined)?.stages;
    const rate = Array.isArray(stages) ? (stages[i] as { rate?: unknown } | undefined)?.rate : undefined;
    if (typeof rate === 'number' && rate > 0) return rate;
  }
  return undefined;
}

function constantLength(n: number): LengthStats {
  return { mean: n, min: n, p10: n, median: n, p90: n, max: n };
}

/** `measured_token_stats`, checked for order (min <= p10 <= median <= p90 <= max, mean inside). */
function measuredLengths(
  stats: NonNullable<RawExperiment['measured_token_stats']>,
  ctx: NormalizeContext,
): MeasuredLengths {
  const check = (name: 'prompt_len' | 'output_len'): LengthStats => {
    const s = stats[name];
    const where = `${ctx.where}: measured_token_stats.${name}`;
    const order = ['min', 'p10', 'median', 'p90', 'max'] as const;
    for (let i = 1; i < order.length; i++) {
      if (s[order[i]!] < s[order[i - 1]!]) {
        throw new InputError(
          `${where}.${order[i]}: must be >= ${order[i - 1]} (${s[order[i - 1]!]}), got ${s[order[i]!]}`,
        );
      }
    }
    if (s.mean < s.min || s.mean > s.max) {
      throw new InputError(`${where}.mean: must lie in [min, max] = [${s.min}, ${s.max}], got ${s.mean}`);
    }
    return { mean: s.mean, min: s.min, p10: s.p10, median: s.median, p90: s.p90, max: s.max };
  };
  return { prompt: check('prompt_len'), output: check('output_len') };
}

/**
 * A profile as inference-perf's `constant` load runs it: one prompt per (system prompt,
 * user), each arrival drawing one uniformly, single-turn.
 */
function profileAsExecuted(
  spec: ReturnType<typeof parseInferencePerfProfile>,
  at: (f: string) => string,
): ExecutedSharedPrefix {
  const sp = spec.shared_prefix;
  if (!sp) throw new InputError(`${at('inference_perf.shared_prefix')}: required`);
  return parseExecutedSharedPrefix(
    {
      shared_prefix: {
        num_groups: sp.num_unique_system_prompts,
        num_prompts_per_group: sp.num_users_per_system_prompt,
        system_prompt_len: sp.system_prompt_len,
        question_len: sp.question_len,
        output_len: sp.output_len,
      },
      load_type: 'constant',
      stages: spec.stages,
    },
    at('inference_perf (as constant load)'),
  );
}

function qpsReplays(raw: RawExperiment, ctx: NormalizeContext): Pick<Experiment, 'workloadForm' | 'replays'> {
  const sweeps = raw.qps_sweeps ?? [];
  if (sweeps.length === 0) {
    throw new InputError(`${ctx.where}: qps_sweeps: needs at least one point (or stages/summary)`);
  }
  const seen = new Set<string>();
  const replays = sweeps.map((p, i): Replay => {
    const id = p.qps !== undefined ? `qps-${p.qps}` : `trace-${i}`;
    if (seen.has(id)) throw new InputError(`${ctx.where}: qps_sweeps[${i}].qps: duplicate point ${id}`);
    seen.add(id);
    const measured = measuredOf(p);
    if (Object.keys(measured).length === 0) {
      throw new InputError(`${ctx.where}: qps_sweeps[${i}]: no measured metric (expected e.g. e2e_mean_ms)`);
    }
    const w = workloadOf(p);
    const points = [qpsWithLoad({ id, stage: null, measured, ...(w && { workload: w }) }, raw, p)];
    const client = pointClient(raw, p);
    const base = { id, points, ...(client && { client }) };
    if (p.trace !== undefined) return { ...base, workload: { kind: 'trace', rows: ctx.readTrace(p.trace) } };
    return { ...base, workload: { kind: 'distribution', params: distribution(raw, p, i, ctx) } };
  });
  const allTraces = replays.every((r) => r.workload.kind === 'trace');
  return { workloadForm: allTraces ? 'trace' : 'distribution', replays };
}

function distribution(
  raw: RawExperiment,
  p: RawQpsPoint,
  i: number,
  ctx: NormalizeContext,
): DistributionParams {
  const wc = raw.workload_config;
  const d = p.data ?? wc.data;
  if (!d) throw new InputError(`${ctx.where}: workload_config.data: required for a distribution qps point`);
  if (p.qps === undefined) throw new InputError(`${ctx.where}: qps_sweeps[${i}].qps: required`);
  const numRequests = p.num_requests ?? wc.max_requests ?? wc.num_requests;
  if (numRequests === undefined) throw new InputError(`${ctx.where}: workload_config.max_requests: required`);
  const params: DistributionParams = {
    rate: p.qps,
    numRequests,
    prefixTokens: d.prefix_tokens,
    promptTokens: d.prompt_tokens,
    promptTokensStdev: d.prompt_tokens_stdev,
    promptTokensMin: d.prompt_tokens_min,
    promptTokensMax: d.prompt_tokens_max,
    outputTokens: d.output_tokens,
    outputTokensStdev: d.output_tokens_stdev,
    outputTokensMin: d.output_tokens_min,
    outputTokensMax: d.output_tokens_max,
  };
  try {
    validateDistributionParams(params);
  } catch (e) {
    // The checks name CLI flags; name the file's fields instead.
    const msg = e instanceof Error ? e.message : String(e);
    throw new InputError(`${ctx.where}: ${msg.replace(/--([a-z-]+)/g, (_, f: string) => fieldFor(f, i))}`);
  }
  return params;
}

function fieldFor(flag: string, i: number): string {
  if (flag === 'rate') return `qps_sweeps[${i}].qps`;
  if (flag === 'num-requests') return 'workload_config.max_requests';
  return `workload_config.data.${flag.replaceAll('-', '_')}`;
}
