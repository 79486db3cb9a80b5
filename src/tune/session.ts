import { relative } from 'node:path';
import type { InputSettings } from '../commands/eval-options.ts';
import { findGpu, type GpuSpec, lookupGpu } from '../config/hardware-config.ts';
import { InputError } from '../errors.ts';
import { inputVersions, loadInputs } from '../eval/inputs.ts';
import { type Workers, withWorkers } from '../eval/pool.ts';
import type { Metric } from '../eval/types.ts';
import type { Experiment } from '../groundtruth/experiment.ts';
import type { LatencyModelName } from '../latency/types.ts';
import { appendEval, openCheckpoint } from './checkpoint.ts';
import { type CvSpec, makeFolds } from './folds.ts';
import { createScorer } from './scorer.ts';
import { type Candidate, fullGrid, type SearchMethod } from './search.ts';
import { blackboxSpaceAround, defaultSpace, type ParamSpec } from './space.ts';
import { blackboxStart, rooflineStart, trainedPhysicsStart } from './start.ts';
import { type TuneResult, tune } from './tuner.ts';

export interface TuneSettings extends InputSettings {
  latencyModel: LatencyModelName;
  hardware: string;
  /** Blackbox: the (model, TP) being fitted. */
  model?: string;
  tp?: number;
  /** Fields searched; absent = the latency model's default space (blackbox: scaled to its start). */
  params?: ParamSpec[];
  objective: Metric[];
  cv: CvSpec;
  maxEvals: number;
  method: SearchMethod;
  force: boolean;
  /** Checkpoint folder; resume continues it. */
  dir: string;
  resume: boolean;
  shard?: { k: number; n: number };
  /** Trained-physics: --beta-coeffs / --alpha-coeffs replacing the file's start arrays. */
  coeffs?: { beta?: number[]; alpha?: number[] };
}

export interface TuneHooks {
  signal: AbortSignal;
  onBatch?: (jobs: number) => void;
  onJobDone?: () => void;
}

export interface TuneOutcome {
  gpu: GpuSpec;
  experiments: Experiment[];
  start: { values: Candidate; from: string };
  /** The fields searched (the given ones, or the default space). */
  params: ParamSpec[];
  /** Absent for a shard, which only evaluates its slice. */
  result?: TuneResult;
  evaluated: number;
}

/**
 * Loads the inputs, opens the checkpoint and runs the cross-validated search (or one shard
 * of its grid). One set of workers serves every batch of the search.
 */
export function runTune(s: TuneSettings, hooks: TuneHooks): Promise<TuneOutcome> {
  return withWorkers(s.jobs, (workers) => tuneWith(workers, s, hooks));
}

async function tuneWith(workers: Workers, s: TuneSettings, hooks: TuneHooks): Promise<TuneOutcome> {
  const { gt, paths, hardware, defaults } = loadInputs(s, [s.latencyModel]);
  const gpu = findGpu(hardware, s.hardware);
  const matches = (x: Experiment) => {
    // The experiment's GPU as the evaluator resolves it.
    if (lookupGpu(hardware, x.gpu) !== gpu) return false;
    if (s.latencyModel !== 'blackbox') return true;
    return x.model.toLowerCase() === s.model?.toLowerCase() && x.tp === s.tp;
  };
  const experiments = gt.experiments.filter(matches);
  if (experiments.length === 0) {
    const what = s.latencyModel === 'blackbox' ? `${s.model} TP ${s.tp} on ${gpu.key}` : `GPU ${gpu.key}`;
    throw new InputError(`${s.groundTruth}: no experiment for ${what}`);
  }
  const start =
    s.latencyModel === 'blackbox'
      ? blackboxStart({
          defaults,
          model: s.model ?? '',
          gpu: gpu.key,
          tp: s.tp ?? 1,
          modelConfigs: s.modelConfigs,
          hardwareConfig: s.hardwareConfig,
        })
      : s.latencyModel === 'trained-physics'
        ? {
            values: trainedPhysicsStart(gpu, s.coeffs),
            from: s.coeffs
              ? '--beta-coeffs/--alpha-coeffs'
              : `${relative(process.cwd(), s.hardwareConfig)} (${gpu.key})`,
          }
        : {
            values: rooflineStart(gpu, s.params ?? defaultSpace(s.latencyModel)),
            from: `${relative(process.cwd(), s.hardwareConfig)} (${gpu.key})`,
          };
  const params =
    s.params ??
    (s.latencyModel === 'blackbox' ? blackboxSpaceAround(start.values) : defaultSpace(s.latencyModel));
  const v = inputVersions(s);
  const fingerprint = {
    // This order is part of every checkpoint's fingerprint: keep it, or resumes stop matching.
    inputs: [v.groundTruth, v.hardwareConfig, v.modelConfigs, v.benchData, v.coefficients].map(
      (x) => x.sha256,
    ),
    latencyModel: s.latencyModel,
    gpu: gpu.key,
    model: s.model ?? null,
    tp: s.tp ?? null,
    params,
    objective: s.objective,
    workloadForm: s.workloadForm,
    kvLeak: s.kvLeak,
    start: start.values,
  };
  const { dir, resume, shard, ...settings } = s;
  const memo = openCheckpoint(
    dir,
    { fingerprint, settings, ...(shard && { shard: `${shard.k}/${shard.n}` }) },
    resume,
  );
  const before = memo.size;
  const fixed = Object.fromEntries(
    Object.entries(start.values).filter(([k]) => !params.some((p) => p.name === k)),
  );
  const score = createScorer({
    experiments,
    latencyModel: s.latencyModel,
    section: params[0]?.section ?? 'v1',
    fixed,
    metrics: s.objective,
    paths,
    kvLeak: s.kvLeak,
    workers,
    timeoutS: s.timeoutS,
    signal: hooks.signal,
    memo,
    onRecord: (r) => appendEval(s.dir, r),
    ...(hooks.onBatch && { onBatch: hooks.onBatch }),
    ...(hooks.onJobDone && { onJobDone: hooks.onJobDone }),
  });
  const names = experiments.map((x) => x.name);
  if (s.shard) {
    const { k, n } = s.shard;
    const slice = fullGrid(params).filter((_, i) => i % n === k - 1);
    await score(slice, names);
    return { gpu, experiments, start, params, evaluated: memo.size - before };
  }
  const result = await tune({
    experiments: names,
    folds: makeFolds(experiments, s.cv),
    cv: s.cv,
    params,
    start: start.values,
    metrics: s.objective,
    maxEvals: s.maxEvals,
    method: s.method,
    force: s.force,
    score,
  });
  return { gpu, experiments, start, params, result, evaluated: memo.size - before };
}
