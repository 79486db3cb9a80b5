import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { type Command, Option } from 'commander';
import { InputError } from '../errors.ts';
import { defaultJobs } from '../eval/pool.ts';
import type { EvalSettings, InputSettings, PathKey } from '../eval/settings.ts';
import { HEADLINE_METRICS } from '../eval/types.ts';
import { METRICS } from '../groundtruth/experiment.ts';
import { WORKLOAD_FORM_OPTIONS, workloadFormOption } from '../groundtruth/normalize.ts';
import { LATENCY_MODELS } from '../latency/types.ts';
import { resolveData } from '../paths.ts';
import { KV_LEAK_MODES } from '../sim/kv-cache.ts';

const collect = (v: string, prev: string[]) => [...prev, v];

/** --mfu-transfer's default (see README: kept only where it beats roofline-v1 off H100). */
export const MFU_TRANSFER_DEFAULT = 'off';

/** The four config files a latency model is built from (eval, tune, nightly, step, validate). */
export function addConfigOptions(cmd: Command): Command {
  return cmd
    .option('--hardware-config <file>', 'hardware calibration file', 'hardware_config.json')
    .option('--model-config-folder <dir>', 'HF config.json folders, one per model', 'model_configs')
    .option(
      '--model-config <[model=]path>',
      "a model's HF config.json, its folder, or a folder of model folders, for models not under --model-config-folder (repeatable)",
      collect,
      [],
    )
    .option('--bench-data-path <dir>', 'MFU tables for roofline-v2', 'bench_data')
    .addOption(
      new Option(
        '--mfu-transfer <on|off>',
        "roofline-v2 on a GPU without MFU tables: on = the nearest measured GPU's tables, transferred " +
          '(docs/latency-models.md); off = no roofline-v2 there',
      )
        .choices(['on', 'off'])
        .default(MFU_TRANSFER_DEFAULT),
    )
    .option('--defaults-filepath <file>', 'blackbox coefficient table', 'defaults.yaml');
}

/** Input files and the pool, on every command that simulates ground truth. */
export function addInputOptions(cmd: Command, groundTruthDefault?: string): Command {
  return addConfigOptions(
    cmd.option(
      '--ground-truth <file>',
      'ground-truth JSON file (see docs/ground-truth-format.md)',
      groundTruthDefault,
    ),
  )
    .option('--jobs <n>', 'worker threads (1 = in-process)', String(defaultJobs()))
    .option('--timeout <s>', 'seconds per simulation job before it is recorded as failed (0 = none)', '600')
    .addOption(
      new Option(
        '--workload-form <form>',
        'staged experiments: measured (executed, lengths from measured_token_stats where given), ' +
          'executed (resolved_by_inference_perf as written; alias resolved) or profile (BLIS expansion)',
      )
        .choices([...WORKLOAD_FORM_OPTIONS, 'resolved'])
        .default('measured'),
    )
    .addOption(
      new Option('--kv-leak <mode>', "fixed, or v0.6.1 (BLIS v0.6.1's KV-block leak, reference §5.4)")
        .choices(KV_LEAK_MODES)
        .default('fixed'),
    )
    .option('--quiet', 'no progress output', false);
}

/** The one --model-config of a single-model command (step): the model's config.json or folder. */
export function ownModelConfig(given: readonly string[] | undefined): string | undefined {
  if (!given || given.length === 0) return undefined;
  if (given.length > 1) throw new InputError(`--model-config: give one (got ${given.join(', ')})`);
  const path = resolve(given[0]!);
  if (!existsSync(path)) throw new InputError(`--model-config ${given[0]}: not found`);
  return path;
}

/** --only / --exclude, on the commands that read a ground-truth file's experiments (eval, validate, tune). */
export function addSelectionOptions(cmd: Command): Command {
  return cmd
    .option('--only <name|glob>', 'evaluate only the experiments it matches (repeatable)', collect, [])
    .option('--exclude <name|glob>', 'leave out the experiments it matches (repeatable)', collect, []);
}

const strings = (v: unknown): string[] => (Array.isArray(v) ? v.map(String) : []);

/** The evaluator's own flags on top of the input flags. */
export function addEvalOptions(cmd: Command): Command {
  return addInputOptions(cmd)
    .option(
      '--latency-models <list>',
      `comma-separated: ${LATENCY_MODELS.join(',')}`,
      LATENCY_MODELS.join(','),
    )
    .option('--seeds <n>', 'workload seeds per point (seed k adds k to the base seed)', '1')
    .option('--metrics <list>', `metrics shown and gated (${METRICS.join(',')})`, HEADLINE_METRICS.join(','))
    .option(
      '--include-failing',
      'count experiments whose server failed > 5 % of requests in the aggregates (left out by default: censored latencies)',
      false,
    );
}

export function int(name: string, v: unknown, min: number): number {
  const n = Number(v);
  if (!Number.isInteger(n) || n < min)
    throw new InputError(`--${name} must be an integer >= ${min}, got '${v}'`);
  return n;
}

export function list<T extends string>(name: string, v: unknown, allowed: readonly T[]): T[] {
  const items = String(v)
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
  if (items.length === 0) throw new InputError(`--${name}: give at least one of ${allowed.join(', ')}`);
  for (const i of items) {
    if (!(allowed as readonly string[]).includes(i)) {
      throw new InputError(`--${name}: unknown '${i}' (choose from ${allowed.join(', ')})`);
    }
  }
  return [...new Set(items)] as T[];
}

/** Validates the raw commander values; `given` tells which flags the user set. */
export function parseInputOptions(
  o: Record<string, unknown>,
  given: (flag: string) => boolean,
): InputSettings {
  if (typeof o.groundTruth !== 'string' || o.groundTruth === '') {
    throw new InputError('--ground-truth <file> is required (e.g. eval/combined_ground_truth.json)');
  }
  const explicit = new Set<PathKey>();
  const path = (flag: string, key: PathKey, v: unknown) => {
    if (given(flag)) explicit.add(key);
    return resolveData(String(v), !given(flag));
  };
  const timeout = Number(o.timeout);
  if (!(timeout >= 0)) throw new InputError(`--timeout must be >= 0 seconds, got '${o.timeout}'`);
  return {
    groundTruth: resolveData(o.groundTruth, false),
    hardwareConfig: path('hardwareConfig', 'hardwareConfig', o.hardwareConfig),
    modelConfigs: path('modelConfigFolder', 'modelConfigs', o.modelConfigFolder),
    benchData: path('benchDataPath', 'benchData', o.benchDataPath),
    coefficients: path('defaultsFilepath', 'coefficients', o.defaultsFilepath),
    modelConfigArgs: strings(o.modelConfig),
    only: strings(o.only),
    exclude: strings(o.exclude),
    explicit,
    jobs: int('jobs', o.jobs, 1),
    timeoutS: timeout,
    workloadForm: workloadFormOption(o.workloadForm),
    kvLeak: o.kvLeak === 'v0.6.1' ? 'v0.6.1' : 'fixed',
    mfuTransfer: (o.mfuTransfer ?? MFU_TRANSFER_DEFAULT) === 'on',
    quiet: o.quiet === true,
  };
}

export function parseEvalOptions(o: Record<string, unknown>, given: (flag: string) => boolean): EvalSettings {
  return {
    ...parseInputOptions(o, given),
    latencyModels: list('latency-models', o.latencyModels, LATENCY_MODELS),
    seeds: int('seeds', o.seeds, 1),
    metrics: list('metrics', o.metrics, METRICS),
    includeFailing: o.includeFailing === true,
  };
}
