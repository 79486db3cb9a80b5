import type { Calibration } from '../config/latency-factory.ts';
import type { Experiment } from '../groundtruth/experiment.ts';
import type { LatencyModelName } from '../latency/types.ts';
import type { KvLeakMode } from '../sim/kv-cache.ts';
import type { EvalJob, JobPaths } from './job-types.ts';

export interface PlanOptions {
  latencyModels: readonly LatencyModelName[];
  seeds: number;
  paths: JobPaths;
  kvLeak: KvLeakMode;
  calibration?: Calibration;
}

/** Jobs in a fixed order: experiment (file order), replay, latency model, seed. */
export function planJobs(experiments: readonly Experiment[], o: PlanOptions): EvalJob[] {
  const jobs: EvalJob[] = [];
  for (const { replays, ...experiment } of experiments) {
    for (const replay of replays) {
      for (const latencyModel of o.latencyModels) {
        for (let seedIndex = 0; seedIndex < o.seeds; seedIndex++) {
          jobs.push({
            experiment,
            replay,
            latencyModel,
            seedIndex,
            paths: o.paths,
            kvLeak: o.kvLeak,
            ...(o.calibration && { calibration: o.calibration }),
          });
        }
      }
    }
  }
  return jobs;
}
