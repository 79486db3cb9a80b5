import type { Calibration } from '../config/latency-factory.ts';
import type { Experiment } from '../groundtruth/experiment.ts';
import type { LatencyModelName } from '../latency/types.ts';
import type { KvLeakMode } from '../sim/kv-cache.ts';
import { runJob } from './job.ts';
import type { EvalJob, JobOutput, JobPaths } from './job-types.ts';
import { planJobs } from './plan.ts';
import { allPoints, pointMeta } from './point-result.ts';
import { runJobs, type Workers } from './pool.ts';
import type { PointResult } from './types.ts';
import { outputTokens } from './workload-source.ts';

export interface EvaluateOptions {
  experiments: readonly Experiment[];
  latencyModels: readonly LatencyModelName[];
  seeds: number;
  paths: JobPaths;
  kvLeak: KvLeakMode;
  calibration?: Calibration;
  workers: Workers;
  timeoutS: number;
  signal: AbortSignal;
  /** Called once with the number of jobs planned. */
  onStart?: (jobs: number) => void;
  onJobDone?: () => void;
  onWarning?: (message: string) => void;
}

export interface Evaluation {
  /** Sorted by experiment (file order), point, latency model, seed. */
  points: PointResult[];
  /** false when the signal stopped the run before every job finished. */
  complete: boolean;
}

export interface PoolSettings {
  workers: Workers;
  timeoutS: number;
  signal: AbortSignal;
}

/**
 * Evaluator jobs on the pool (costliest first); a job that throws or times out comes back
 * as its points marked failed with the error, so callers see one shape of result.
 */
export function runEvalJobs(
  jobs: readonly EvalJob[],
  pool: PoolSettings,
  onDone: (index: number, output: JobOutput) => void,
): Promise<void> {
  return runJobs(jobs, {
    ...pool,
    inProcess: (job) => runJob(job, job.deadline),
    cost: (job) => outputTokens(job.replay.workload),
    onDone: (i, outcome) =>
      onDone(
        i,
        outcome.ok
          ? outcome.value
          : {
              points: allPoints(jobs[i]!, pointMeta(jobs[i]!.experiment), 'failed', outcome.error),
              warnings: [],
            },
      ),
  });
}

/** Runs every job of the plan on the pool and returns the compared points, sorted. */
export async function evaluate(o: EvaluateOptions): Promise<Evaluation> {
  const jobs = planJobs(o.experiments, o);
  o.onStart?.(jobs.length);
  const outputs: (JobOutput | undefined)[] = new Array(jobs.length);
  const seen = new Set<string>();
  await runEvalJobs(jobs, o, (i, output) => {
    outputs[i] = output;
    for (const w of output.warnings) {
      if (!seen.has(w)) o.onWarning?.(w);
      seen.add(w);
    }
    o.onJobDone?.();
  });
  const points = outputs.flatMap((out) => out?.points ?? []);
  return {
    points: sortPoints(points, o.experiments, o.latencyModels),
    complete: outputs.filter(Boolean).length === jobs.length,
  };
}

/** Results never depend on completion order: sort by the plan's keys. */
export function sortPoints(
  points: readonly PointResult[],
  experiments: readonly Experiment[],
  models: readonly LatencyModelName[],
): PointResult[] {
  const rank = new Map<string, number>();
  for (const x of experiments) {
    for (const r of x.replays) for (const p of r.points) rank.set(`${x.name}\u0000${p.id}`, rank.size);
  }
  const key = (p: PointResult) => rank.get(`${p.experiment}\u0000${p.point}`) ?? Number.MAX_SAFE_INTEGER;
  return [...points].sort(
    (a, b) =>
      key(a) - key(b) || models.indexOf(a.latencyModel) - models.indexOf(b.latencyModel) || a.seed - b.seed,
  );
}
