import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import {
  type DefaultsFile,
  findCoefficients,
  loadDefaults,
  resolveDefaults,
} from '../config/coefficients.ts';
import { ambiguityNote } from '../config/gpu-names.ts';
import type { GpuSpec } from '../config/hardware-config.ts';
import { buildRooflineModel, cachedModelArch, deriveKvBlocksFor } from '../config/latency-factory.ts';
import { modelFolderName } from '../config/model-config.ts';
import { loadPolicyBundle } from '../config/policy-bundle.ts';
import { buildTrainedPhysicsModel } from '../config/trained-physics-factory.ts';
import { InputError } from '../errors.ts';
import type { ModelArch } from '../latency/arch.ts';
import { BlackboxModel } from '../latency/blackbox.ts';
import { selectLatencyModelKind } from '../latency/select.ts';
import type { LatencyModel } from '../latency/types.ts';
import { ATTENTION_WINDOW_MODES } from '../latency/window-guard.ts';
import { GEMM_FALLBACKS } from '../mfu/database.ts';
import { resolveData } from '../paths.ts';
import { ADMISSION_POLICIES, type AdmissionPolicyName } from '../sim/admission.ts';
import type { ClusterConfig } from '../sim/cluster.ts';
import { KV_LEAK_MODES } from '../sim/kv-cache.ts';
import {
  PRIORITY_POLICIES,
  type PriorityPolicy,
  SCHEDULERS,
  type SchedulerName,
} from '../sim/queue-order.ts';
import { parseScorers, ROUTING_POLICIES, type RoutingPolicyName, type ScorerWeight } from '../sim/routing.ts';
import type { RequestSource } from '../workload/types.ts';
import { FlagReader, type ParsedFlags } from './run-flags.ts';
import { runWorkload } from './run-workload.ts';

export interface RunPlan {
  cluster: ClusterConfig;
  latency: LatencyModel;
  source: RequestSource;
  /** Diagnostics for stderr. */
  notes: string[];
  /** The run JSON's `latency` block. */
  latencyInfo: LatencyInfo;
}

/** Horizons at or past 2^53 µs (BLIS's MaxInt64 default) mean "no horizon". */
export function horizonFrom(v: number): number {
  return v >= Number.MAX_SAFE_INTEGER ? Number.POSITIVE_INFINITY : v;
}

export function oneOf<T extends string>(flag: string, value: string, allowed: readonly T[]): T {
  if (!allowed.includes(value as T))
    throw new InputError(`--${flag}: unknown value "${value}" (one of ${allowed.join(', ')})`);
  return value as T;
}

function positive(f: FlagReader, ...names: string[]): void {
  for (const n of names) if (!(f.num(n) > 0)) throw new InputError(`--${n} must be > 0, got ${f.num(n)}`);
}

/** Turns validated flags into a simulation plan, reading the files the flags name. */
export function planRun(parsed: ParsedFlags): RunPlan {
  const f = new FlagReader(parsed);
  const notes: string[] = [];
  if (!f.str('model')) throw new InputError('--model is required');
  positive(f, 'total-kv-blocks', 'block-size-in-tokens', 'max-num-running-reqs', 'max-num-scheduled-tokens');
  if (f.num('num-instances') < 1)
    throw new InputError(`--num-instances must be >= 1, got ${f.num('num-instances')}`);
  for (const n of [
    'long-prefill-token-threshold',
    'admission-latency',
    'routing-latency',
    'counterfactual-k',
    'snapshot-refresh-interval',
    'kv-cpu-blocks',
    'kv-transfer-base-latency',
    'horizon',
  ]) {
    if (f.num(n) < 0) throw new InputError(`--${n} must be >= 0, got ${f.num(n)}`);
  }
  oneOf('trace-level', f.str('trace-level'), ['none', 'decisions'] as const);
  oneOf('log', f.str('log'), ['debug', 'info', 'warn', 'error'] as const);
  const kvLeak = oneOf('kv-leak', f.str('kv-leak'), KV_LEAK_MODES);
  oneOf('gemm-fallback', f.str('gemm-fallback'), GEMM_FALLBACKS);
  oneOf('attention-window', f.str('attention-window'), ATTENTION_WINDOW_MODES);
  const threshold = f.num('kv-offload-threshold');
  if (!(threshold >= 0 && threshold <= 1))
    throw new InputError(`--kv-offload-threshold must be in [0, 1], got ${threshold}`);
  if (f.num('kv-cpu-blocks') > 0) positive(f, 'kv-transfer-bandwidth');

  const policies = resolvePolicies(f);
  const defaultsPath = resolveData(f.str('defaults-filepath'), !f.given('defaults-filepath'));
  const latency = resolveLatency(f, defaultsPath, notes);
  const wl = runWorkload(
    f,
    horizonFrom(f.num('horizon')),
    () => latency.defaults ?? loadDefaults(defaultsPath),
  );

  const cluster: ClusterConfig = {
    numInstances: f.num('num-instances'),
    horizon: wl.horizon,
    totalKVBlocks: latency.totalKVBlocks,
    blockSize: f.num('block-size-in-tokens'),
    maxRunningReqs: f.num('max-num-running-reqs'),
    maxScheduledTokens: f.num('max-num-scheduled-tokens'),
    longPrefillTokenThreshold: f.num('long-prefill-token-threshold'),
    cpuTier:
      f.num('kv-cpu-blocks') > 0
        ? {
            cpuBlocks: f.num('kv-cpu-blocks'),
            offloadThreshold: threshold,
            transferBandwidth: f.num('kv-transfer-bandwidth'),
            transferBaseLatency: f.num('kv-transfer-base-latency'),
          }
        : null,
    ...policies,
    admissionLatency: f.num('admission-latency'),
    routingLatency: f.num('routing-latency'),
    snapshotRefreshInterval: f.num('snapshot-refresh-interval'),
    traceDecisions: f.str('trace-level') === 'decisions',
    counterfactualK: f.num('counterfactual-k'),
    kvLeak,
  };
  const kvSource = f.given('total-kv-blocks')
    ? 'given (--total-kv-blocks)'
    : latency.info.coefficients?.source === 'given'
      ? 'BLIS default (--total-kv-blocks not given)'
      : latency.info.coefficients
        ? 'coefficient row'
        : 'derived from GPU memory (gpu_memory_utilization 0.9)';
  const latencyInfo = { ...latency.info, kv_blocks: { value: latency.totalKVBlocks, source: kvSource } };
  return { cluster, latency: latency.model, source: wl.source, notes, latencyInfo };
}

function resolvePolicies(f: FlagReader) {
  const bundle = f.str('policy-config') ? loadPolicyBundle(f.str('policy-config')) : {};
  // Explicit flags override the bundle; the bundle overrides defaults.
  const pick = <T>(flag: string, fromBundle: T | undefined): T =>
    (f.given(flag) || fromBundle === undefined ? f.raw(flag) : fromBundle) as T;
  const admission = oneOf<AdmissionPolicyName>(
    'admission-policy',
    pick('admission-policy', bundle.admission?.policy),
    ADMISSION_POLICIES,
  );
  const capacity = pick<number>('token-bucket-capacity', bundle.admission?.token_bucket_capacity);
  const refill = pick<number>('token-bucket-refill-rate', bundle.admission?.token_bucket_refill_rate);
  if (admission === 'token-bucket' && !(capacity > 0 && refill > 0)) {
    throw new InputError(
      '--token-bucket-capacity and --token-bucket-refill-rate must be > 0 with token-bucket admission',
    );
  }
  const routingPolicy = oneOf<RoutingPolicyName>(
    'routing-policy',
    pick('routing-policy', bundle.routing?.policy),
    ROUTING_POLICIES,
  );
  const scorers: ScorerWeight[] = f.str('routing-scorers')
    ? parseScorers(f.str('routing-scorers'))
    : (bundle.routing?.scorers ?? []);
  return {
    admission: { policy: admission, tokenBucketCapacity: capacity, tokenBucketRefillRate: refill },
    routingPolicy,
    routingScorers: scorers,
    priorityPolicy: oneOf<PriorityPolicy>(
      'priority-policy',
      pick('priority-policy', bundle.priority?.policy),
      PRIORITY_POLICIES,
    ),
    scheduler: oneOf<SchedulerName>('scheduler', pick('scheduler', bundle.scheduler), SCHEDULERS),
  };
}

interface ResolvedLatency {
  model: LatencyModel;
  totalKVBlocks: number;
  defaults: DefaultsFile | null;
  /** What ran, for the JSON's `latency` block (besides kv_blocks, filled by the caller). */
  info: LatencyInfo;
}

/** The run JSON's `latency` block: which model and which coefficients or calibration ran. */
export interface LatencyInfo {
  latency_model: string;
  /** The blackbox coefficient row used (or "given" with explicit --alpha/--beta-coeffs). */
  coefficients?: { model: string; gpu: string; tp: number; vllm_version: string; source: string };
  /** Roofline / trained-physics: the hardware config entry and the model config used. */
  calibration?: { hardware_config: string; gpu: string; variant?: string; inherited: string[] };
  kv_blocks?: { value: number; source: string };
}

/**
 * BLIS v0.6.1's latency resolution (reference §9.2–9.3) plus the seed integration's
 * selection: config folder + hardware config turn roofline on, bench data makes it v2;
 * `--latency-model` forces one by name.
 */
function resolveLatency(f: FlagReader, defaultsPath: string, notes: string[]): ResolvedLatency {
  const alpha = f.nums('alpha-coeffs');
  const beta = f.nums('beta-coeffs');
  const explicitCoeffs = [...alpha, ...beta].some((v) => v !== 0);
  // Explicit coefficients mean blackbox (BLIS); otherwise the seed integration's rule.
  const forced = f.str('latency-model');
  const kind =
    explicitCoeffs && !forced
      ? 'blackbox'
      : selectLatencyModelKind({
          latencyModel: forced,
          modelConfigFolder: f.str('model-config-folder') || f.str('model-config'),
          hardwareConfig: f.str('hardware-config'),
          benchDataPath: f.str('bench-data-path'),
        });
  if (kind === 'trained-physics') return resolveTrainedPhysics(f, notes);
  if (kind !== 'blackbox') return resolveRoofline(f, kind, alpha, notes);
  if (explicitCoeffs) {
    const given = {
      model: f.str('model'),
      gpu: f.str('hardware'),
      tp: f.num('tp'),
      vllm_version: '',
      source: 'given',
    };
    return {
      model: new BlackboxModel(alpha, beta),
      totalKVBlocks: f.num('total-kv-blocks'),
      defaults: null,
      info: { latency_model: 'blackbox', coefficients: given },
    };
  }
  const defaults = loadDefaults(defaultsPath);
  knownModel(f, defaults, defaultsPath);
  const q = resolveDefaults(defaults, {
    model: f.str('model'),
    gpu: f.str('hardware'),
    tp: f.num('tp'),
    vllmVersion: f.str('vllm-version'),
  });
  const row = findCoefficients(defaults, q);
  const filled = (['hardware', 'tp', 'vllm-version'] as const).filter((k) => !f.given(k));
  if (row && filled.length > 0) {
    // BLIS's default path: never silent, since another GPU's or TP's row changes every figure.
    notes.push(
      `warning: --model ${f.str('model')}: ${filled.map((k) => `--${k}`).join(', ')} not given; using the ` +
        `defaults entry's coefficient row ${row.id} on ${row.GPU}, TP ${row.tensor_parallelism}, vLLM ${row.vllm_version}`,
    );
  }
  if (!row) {
    throw new InputError(
      `--model ${f.str('model')}: no blackbox coefficients for GPU "${q.gpu}", TP ${q.tp}, vLLM "${q.vllmVersion}" in ${defaultsPath}; ` +
        (ambiguityNote(q.gpu) && `GPU ${ambiguityNote(q.gpu)}; `) +
        'give --alpha-coeffs/--beta-coeffs, or --latency-model roofline-v1|roofline-v2|trained-physics',
    );
  }
  notes.push(
    `blackbox coefficients: ${row.id} on ${row.GPU}, TP ${row.tensor_parallelism}, ${row.vllm_version}`,
  );
  const totalKVBlocks = f.given('total-kv-blocks') ? f.num('total-kv-blocks') : row.total_kv_blocks;
  const coefficients = {
    model: row.id,
    gpu: row.GPU,
    tp: row.tensor_parallelism,
    vllm_version: row.vllm_version,
    source: defaultsPath,
  };
  return {
    model: new BlackboxModel(row.alpha_coeffs, row.beta_coeffs),
    totalKVBlocks,
    defaults,
    info: { latency_model: 'blackbox', coefficients },
  };
}

/**
 * A model the coefficient table has no row or defaults entry for, and no model config: say
 * so and where it looked, rather than "no coefficients for GPU "", TP 0".
 */
function knownModel(f: FlagReader, defaults: DefaultsFile, defaultsPath: string): void {
  const id = f.str('model').toLowerCase();
  if (defaults.models.some((r) => r.id === id) || defaults.defaults[id] !== undefined) return;
  const configs = modelConfigPath(f);
  let config = '';
  try {
    cachedModelArch(configs, f.str('model'));
    config = '; a model config exists: run it with --latency-model roofline-v1|roofline-v2|trained-physics';
  } catch {
    const file = join(configs, modelFolderName(f.str('model')), 'config.json');
    config =
      `, and no model config under ${configs}: add ${file} (the model's Hugging Face config.json) ` +
      'or pass --model-config <config.json|dir>';
  }
  throw new InputError(
    `--model ${f.str('model')}: unknown model: no coefficient row or defaults entry in ${defaultsPath}${config}`,
  );
}

/** --model-config (the model's own file or folder), else --model-config-folder, else the shipped model_configs/. */
function modelConfigPath(f: FlagReader): string {
  const own = f.str('model-config');
  if (own) {
    if (!existsSync(own)) throw new InputError(`--model-config ${own}: not found`);
    return resolve(own);
  }
  return resolveData(f.str('model-config-folder') || 'model_configs', !f.str('model-config-folder'));
}

/** Model config and hardware config paths of a roofline-style model (shipped files by default). */
function configPaths(f: FlagReader, kind: string) {
  if (!f.str('hardware')) throw new InputError(`--hardware is required for the ${kind} latency model`);
  if (!(f.num('tp') > 0)) throw new InputError(`--tp must be > 0 for the ${kind} latency model`);
  return {
    model: f.str('model'),
    modelConfigPath: modelConfigPath(f),
    hardwareConfigPath: resolveData(
      f.str('hardware-config') || 'hardware_config.json',
      !f.str('hardware-config'),
    ),
    gpu: f.str('hardware'),
    tp: f.num('tp'),
    attentionWindow: oneOf('attention-window', f.str('attention-window'), ATTENTION_WINDOW_MODES),
  };
}

/** BLIS v0.7.1's trained-physics: the file's coefficients unless --beta-coeffs / --alpha-coeffs are given. */
function resolveTrainedPhysics(f: FlagReader, notes: string[]): ResolvedLatency {
  const paths = configPaths(f, 'trained-physics');
  const built = buildTrainedPhysicsModel({
    ...paths,
    ...(f.given('beta-coeffs') && { beta: f.nums('beta-coeffs') }),
    ...(f.given('alpha-coeffs') && { alpha: f.nums('alpha-coeffs') }),
  });
  notes.push(`latency model: trained-physics for ${f.str('model')} on ${built.gpu.key}, TP ${f.num('tp')}`);
  inheritedNote(built.gpu, 'trainedPhysics', notes);
  return {
    model: built.model,
    totalKVBlocks: kvBlocksOf(f, () => cachedModelArch(paths.modelConfigPath, paths.model), built.gpu),
    defaults: null,
    info: {
      latency_model: 'trained-physics',
      calibration: calibrationInfo(paths.hardwareConfigPath, built.gpu, 'trainedPhysics'),
    },
  };
}

function resolveRoofline(
  f: FlagReader,
  kind: 'roofline-v1' | 'roofline-v2',
  alpha: number[],
  notes: string[],
): ResolvedLatency {
  const bench = f.str('bench-data-path');
  const built = buildRooflineModel({
    kind,
    ...configPaths(f, 'roofline'),
    tp: f.num('tp'),
    ...(kind === 'roofline-v2' && {
      benchDataPath: resolveData(bench || 'bench_data', !bench),
      gemmFallback: oneOf('gemm-fallback', f.str('gemm-fallback'), GEMM_FALLBACKS),
    }),
    ...(alpha.some((v) => v !== 0) && { alpha }),
    onWarning: (m) => process.stderr.write(`warning: ${m}\n`),
  });
  notes.push(
    `latency model: ${kind} (${built.variant}) for ${built.arch.name} on ${built.gpu.key}, TP ${f.num('tp')}`,
  );
  inheritedNote(built.gpu, kind === 'roofline-v2' ? 'v2' : 'v1', notes);
  return {
    model: built.model,
    totalKVBlocks: kvBlocksOf(f, () => built.arch, built.gpu),
    defaults: null,
    info: {
      latency_model: kind,
      calibration: {
        ...calibrationInfo(
          configPaths(f, 'roofline').hardwareConfigPath,
          built.gpu,
          kind === 'roofline-v2' ? 'v2' : 'v1',
        ),
        variant: built.variant,
      },
    },
  };
}

function calibrationInfo(path: string, gpu: GpuSpec, section: string) {
  return {
    hardware_config: path,
    gpu: gpu.key,
    inherited: gpu.inherited.filter((x) => x.startsWith(`${section}.`)),
  };
}

/** Says which fields of the model's section the GPU took from the hardware config's defaults. */
function inheritedNote(gpu: GpuSpec, section: string, notes: string[]): void {
  const fields = gpu.inherited.filter((x) => x.startsWith(`${section}.`));
  if (fields.length > 0)
    notes.push(`hardware: ${gpu.key} inherited from the defaults entry: ${fields.join(', ')}`);
}

/** --total-kv-blocks, or derived from GPU memory when not given. */
function kvBlocksOf(f: FlagReader, arch: () => ModelArch, gpu: GpuSpec): number {
  if (f.given('total-kv-blocks')) return f.num('total-kv-blocks');
  const blocks = deriveKvBlocksFor(arch(), gpu, f.num('tp'), {
    blockSize: f.num('block-size-in-tokens'),
    maxNumBatchedTokens: f.num('max-num-scheduled-tokens'),
  }).blocks;
  // Always shown: the run's capacity depends on it.
  process.stderr.write(`derived --total-kv-blocks ${blocks} from GPU memory (gpu_memory_utilization 0.9)\n`);
  return blocks;
}
