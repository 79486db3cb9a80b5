import { type HardwareConfig, lookupGpu } from '../config/hardware-config.ts';
import type { MeasuredPoint, PointLoad } from '../groundtruth/experiment.ts';
import { VERSION } from '../paths.ts';
import { evaluate } from './evaluate.ts';
import { inputVersions, loadInputs, runIdOf } from './inputs.ts';
import { computeKnees } from './knee.ts';
import type { PointLoadInfo } from './knee-types.ts';
import { PERCENTILE_DEFINITION } from './point-metrics.ts';
import { pointMeta } from './point-result.ts';
import { type Workers, withWorkers } from './pool.ts';
import type { EvalSettings } from './settings.ts';
import { computeStats } from './stats.ts';
import type { EvalRun } from './types.ts';

export interface SessionHooks {
  signal: AbortSignal;
  /** Called once with the job count, then after every job. */
  onStart?: (jobs: number) => void;
  onJobDone?: () => void;
  onWarning?: (message: string) => void;
  /** ISO time written into the run (tests pin it). */
  now?: () => Date;
}

/**
 * Loads and checks every input, runs the evaluator and assembles the run's results (the
 * worker threads start with the first batch, after the inputs passed their checks).
 */
export function runEvaluation(s: EvalSettings, hooks: SessionHooks): Promise<EvalRun> {
  return withWorkers(s.jobs, (workers) => evaluateWith(workers, s, hooks));
}

async function evaluateWith(workers: Workers, s: EvalSettings, hooks: SessionHooks): Promise<EvalRun> {
  const { gt, paths, hardware } = loadInputs(s, s.latencyModels, { applicable: true });
  const evaluation = await evaluate({
    experiments: gt.experiments,
    latencyModels: s.latencyModels,
    seeds: s.seeds,
    paths,
    kvLeak: s.kvLeak,
    workers,
    timeoutS: s.timeoutS,
    signal: hooks.signal,
    ...(hooks.onStart && { onStart: hooks.onStart }),
    ...(hooks.onJobDone && { onJobDone: hooks.onJobDone }),
    ...(hooks.onWarning && { onWarning: hooks.onWarning }),
  });
  const inputs = inputVersions(s, gt.experiments);
  const options = {
    latencyModels: s.latencyModels,
    seeds: s.seeds,
    workloadForm: s.workloadForm,
    kvLeak: s.kvLeak,
    timeoutS: s.timeoutS,
    ...(s.includeFailing && { includeFailing: true }),
    ...(s.only && s.only.length > 0 && { only: s.only }),
    ...(s.exclude && s.exclude.length > 0 && { exclude: s.exclude }),
    ...(s.mfuTransfer && { mfuTransfer: true }),
  };
  const experiments = gt.experiments.map((x) => {
    const first = evaluation.points.find((p) => p.experiment === x.name && p.status === 'ok');
    return {
      name: x.name,
      meta: first?.meta ?? pointMeta(x, x.engine.totalKvBlocks ?? 0, x.engine.totalKvBlocks === null),

      points: x.replays.flatMap((r) => r.points.map((p) => p.id)),
      loads: x.replays.flatMap((r) => r.points.flatMap((p) => (p.load ? [loadInfo(p, p.load)] : []))),
    };
  });
  return {
    tool: { name: 'blis-eval', version: VERSION },
    runId: runIdOf([Object.values(inputs).map((i) => i.sha256), options]),
    createdAt: (hooks.now?.() ?? new Date()).toISOString(),
    complete: evaluation.complete,
    options,
    inputs,
    percentileDefinition: PERCENTILE_DEFINITION,
    ...inheritedBy(hardware, gt.experiments),
    experiments,
    points: evaluation.points,
    stats: computeStats(evaluation.points, { includeFailing: s.includeFailing }),
    knees: computeKnees(experiments, evaluation.points, s.latencyModels),
  };
}

function loadInfo(p: MeasuredPoint, load: PointLoad): PointLoadInfo {
  return {
    point: p.id,
    ...load,
    ...(p.failedFraction !== undefined && { failedFraction: p.failedFraction }),
  };
}

/** Which fields each experiment GPU inherited from the defaults entry (absent when none did). */
function inheritedBy(
  hardware: HardwareConfig,
  experiments: readonly { gpu: string }[],
): { inherited?: { gpu: string; fields: string[] }[] } {
  const seen = new Map<string, string[]>();
  for (const x of experiments) {
    const g = lookupGpu(hardware, x.gpu);
    if (g && g.inherited.length > 0) seen.set(g.key, [...g.inherited]);
  }
  return seen.size === 0 ? {} : { inherited: [...seen].map(([gpu, fields]) => ({ gpu, fields })) };
}
