import { relative } from 'node:path';
import { findGpu, type GpuSpec, lookupGpu } from '../config/hardware-config.ts';
import { InputError } from '../errors.ts';
import { inputVersions, loadInputs } from '../eval/inputs.ts';
import { type Workers, withWorkers } from '../eval/pool.ts';
import type { InputSettings } from '../eval/settings.ts';
import { type Experiment, failedPercent, isFailingRun, type Metric } from '../groundtruth/experiment.ts';
import type { LatencyModelName } from '../latency/types.ts';
import { appendEval, openCheckpoint } from './checkpoint.ts';
import { type CvSpec, makeFolds } from './folds.ts';
import { MEAN_OBJECTIVE } from './objective.ts';
import type { ObjectiveSpec } from './objective-types.ts';
import type { TuneOutcome } from './outcome.ts';
import { createScorer } from './scorer.ts';
import { gridCandidates, gridFits, type SearchMethod, startOf } from './search.ts';
import { blackboxSpaceAround, defaultSpace, type ParamSpec, withPinned } from './space.ts';
import { blackboxStart, rooflineStart, startIsCurrent, trainedPhysicsStart } from './start.ts';
import { type SearchProgress, type TuneInput, tune, tuneShard } from './tuner.ts';

export interface TuneSettings extends InputSettings {
  latencyModel: LatencyModelName;
  hardware: string;
  /** Blackbox: the (model, TP) being fitted. */
  model?: string;
  tp?: number;
  /** Fields searched; absent = the latency model's default space (blackbox: scaled to its start). */
  params?: ParamSpec[];
  /** Fields held at one value (`--param name=value`), added to the searched space. */
  pinned?: ParamSpec[];
  objective: Metric[];
  /** How experiments and metrics combine (absent: mean, every metric weighing 1). */
  objectiveSpec?: ObjectiveSpec;
  cv: CvSpec;
  maxEvals: number;
  method: SearchMethod;
  /** Racing margin (absent: DEFAULT_RACE; null: off). */
  race?: number | null;
  /** Fraction of each stage the searches replay (absent: 1, full replays). */
  fidelity?: number;
  /** Full-replay candidates around each partial-replay search's winner (absent: 0). */
  polish?: number;
  /** `--write` / `--dry-run` as given, kept in the checkpoint so that `--resume` needs no flag. */
  output?: { write?: string; dryRun?: boolean };
  /** Keep experiments whose real server failed requests (left out by default, see FAILING_FRACTION). */
  includeFailing?: boolean;
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
  /** A batch of simulations starts: its jobs and the distinct candidates it scores. */
  onBatch?: (jobs: number, candidates: number) => void;
  onJobDone?: () => void;
  onSearch?: (search: SearchProgress) => void;
  onCandidates?: (done: number) => void;
}

/** Default racing margin: a candidate stops after screening when estimated 20 % above the bar. */
export const DEFAULT_RACE = 0.2;

/**
 * The final polish when searches run on partial replays and none was asked for: one compass
 * round on full replays around the fit that gets written (a step either way on every field).
 */
export const defaultPolish = (params: readonly ParamSpec[]): number => 2 * params.length;

/** `--hardware all`: fit one set of values for every GPU (written to the file's defaults). */
export const isAllGpus = (hardware: string): boolean => hardware.toLowerCase() === 'all';
export const ALL_GPUS_SCOPE = 'all GPUs';

/**
 * Loads the inputs, opens the checkpoint and runs the cross-validated search (or one shard
 * of its grid). One set of workers serves every batch of the search.
 */
export function runTune(s: TuneSettings, hooks: TuneHooks): Promise<TuneOutcome> {
  return withWorkers(s.jobs, (workers) => tuneWith(workers, s, hooks));
}

async function tuneWith(workers: Workers, s: TuneSettings, hooks: TuneHooks): Promise<TuneOutcome> {
  const { gt, paths, hardware, defaults } = loadInputs(s, [s.latencyModel]);
  const all = isAllGpus(s.hardware);
  if (all && s.latencyModel === 'blackbox') {
    throw new InputError(
      '--hardware all: blackbox coefficients belong to one (model, GPU, TP); name the GPU',
    );
  }
  // The experiment's GPU as the evaluator resolves it.
  const gpuOf = (x: Experiment) => lookupGpu(hardware, x.gpu);
  const chosen = all ? undefined : findGpu(hardware, s.hardware);
  const matches = (x: Experiment) => {
    if (all) return gpuOf(x) !== undefined;
    if (gpuOf(x) !== chosen) return false;
    if (s.latencyModel !== 'blackbox') return true;
    return x.model.toLowerCase() === s.model?.toLowerCase() && x.tp === s.tp;
  };
  // --only / --exclude were applied by loadInputs (gt holds the selected experiments).
  const inScope = gt.experiments.filter(matches);
  const failing = (x: Experiment) => !s.includeFailing && isFailingRun(x.failedFraction);
  const leftOut = inScope.filter(failing).map((x) => ({
    name: x.name,
    why: `the server failed ${failedPercent(x.failedFraction)} of its requests (--include-failing keeps it)`,
  }));
  const experiments = inScope.filter((x) => !failing(x));
  if (experiments.length === 0) {
    const what =
      s.latencyModel === 'blackbox'
        ? `${s.model} TP ${s.tp} on ${chosen?.key}`
        : all
          ? `any GPU of ${s.hardwareConfig}`
          : `GPU ${chosen?.key}`;
    throw new InputError(`${s.groundTruth}: no experiment for ${what}`);
  }
  // With --hardware all the start is the first experiment's GPU as resolved (its own values
  // over the file's defaults): one set of values, fitted for every GPU, goes into defaults.
  const gpu = chosen ?? gpuOf(experiments[0]!)!;
  const scope = all ? ALL_GPUS_SCOPE : gpu.key;
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
            values: rooflineStart(gpu, withPinned(s.params ?? defaultSpace(s.latencyModel), s.pinned)),
            from: `${relative(process.cwd(), s.hardwareConfig)} (${gpu.key}${all ? ', values as resolved, defaults included' : ''})`,
          };
  const params = withPinned(
    s.params ??
      (s.latencyModel === 'blackbox' ? blackboxSpaceAround(start.values) : defaultSpace(s.latencyModel)),
    s.pinned,
  );
  linkTermNeedsInterconnect(params, experiments, gpuOf, s.hardwareConfig);
  const v = inputVersions(s, gt.experiments);
  const fingerprint = {
    // This order is part of every checkpoint's fingerprint: keep it, or resumes stop matching.
    inputs: [v.groundTruth, v.hardwareConfig, v.modelConfigs, v.benchData, v.coefficients].map(
      (x) => x.sha256,
    ),
    latencyModel: s.latencyModel,
    gpu: all ? 'all' : gpu.key,
    model: s.model ?? null,
    tp: s.tp ?? null,
    params,
    objective: s.objective,
    workloadForm: s.workloadForm,
    kvLeak: s.kvLeak,
    start: start.values,
    ...(s.objectiveSpec && { objectiveSpec: s.objectiveSpec }),
    ...(s.only && s.only.length > 0 && { only: s.only }),
    ...(s.exclude && s.exclude.length > 0 && { exclude: s.exclude }),
    ...(s.includeFailing && { includeFailing: true }),
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
  const section = params[0]?.section ?? 'v1';
  const gpus = [...new Set(experiments.map((x) => gpuOf(x)!))];
  const score = createScorer({
    experiments,
    latencyModel: s.latencyModel,
    section,
    fixed,
    ...(startIsCurrent(start.values, section, gpus) && { current: startOf(params, start.values) }),
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
  const fidelity = s.fidelity ?? 1;
  const input: TuneInput = {
    experiments: names,
    folds: makeFolds(experiments, s.cv, (x) => gpuOf(x)?.key ?? x.gpu),
    cv: s.cv,
    params,
    start: start.values,
    metrics: s.objective,
    objective: s.objectiveSpec ?? MEAN_OBJECTIVE,
    maxEvals: s.maxEvals,
    method: s.method,
    race: s.race === undefined ? DEFAULT_RACE : s.race,
    fidelity,
    polish: s.polish ?? (fidelity < 1 ? defaultPolish(params) : 0),
    force: s.force,
    score,
    ...(hooks.onSearch && { onSearch: hooks.onSearch }),
    ...(hooks.onCandidates && { onCandidates: hooks.onCandidates }),
  };
  const outcome = { gpu, scope, experiments, leftOut, start, params, objective: input.objective };
  if (s.shard) {
    const { k, n } = s.shard;
    const owns = (i: number) => i % n === k - 1;
    // A grid shards by points; an adaptive search cannot, so its shards split the searches.
    if (gridFits({ params, maxEvals: s.maxEvals, method: s.method })) {
      await score(
        gridCandidates(params, start.values).filter((_, i) => owns(i)),
        names,
        input.fidelity,
      );
    } else {
      await tuneShard(input, owns);
    }
    return { ...outcome, evaluated: memo.size - before };
  }
  const result = await tune(input);
  return { ...outcome, result, evaluated: memo.size - before };
}

/**
 * A space that can switch the TP link term on (`allReduceLinkScale` > 0) needs every GPU that
 * runs a TP > 1 experiment to state its interconnect; without it every such candidate would be
 * refused there, so the search would fit the other experiments only.
 */
function linkTermNeedsInterconnect(
  params: readonly ParamSpec[],
  experiments: readonly Experiment[],
  gpuOf: (x: Experiment) => GpuSpec | undefined,
  file: string,
): void {
  const link = params.find((p) => p.name === 'allReduceLinkScale');
  if (!link || !(link.hi > 0)) return;
  const missing = [
    ...new Set(
      experiments
        .filter((x) => x.tp > 1 && !((gpuOf(x)?.InterconnectGBs ?? 0) > 0))
        .map((x) => gpuOf(x)?.key ?? x.gpu),
    ),
  ];
  if (missing.length > 0)
    throw new InputError(
      `${file}: ${missing.join(', ')}: InterconnectGBs is missing, and allReduceLinkScale (searched up to ${link.hi}) ` +
        'needs it for the TP > 1 experiments there; give the GPU its datasheet interconnect bandwidth or start from a file that has it',
    );
}
