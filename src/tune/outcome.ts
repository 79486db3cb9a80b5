import type { GpuSpec } from '../config/hardware-config.ts';
import type { Experiment } from '../groundtruth/experiment.ts';
import type { ObjectiveSpec } from './objective.ts';
import type { Candidate } from './search.ts';
import type { ParamSpec } from './space.ts';
import type { TuneResult } from './tuner.ts';

/** Everything the tuning reports show; the renderers are pure functions of it. */
export interface TuneOutcome {
  /** The GPU tuned; with --hardware all, the first experiment's (where the start was read). */
  gpu: GpuSpec;
  /** What the fit is for: the GPU's key, or ALL_GPUS_SCOPE. */
  scope: string;
  experiments: Experiment[];
  /** Experiments of the scope left out by default, and why (`--exclude`d ones are not listed). */
  leftOut: { name: string; why: string }[];
  start: { values: Candidate; from: string };
  /** The fields searched (the given ones, or the default space). */
  params: ParamSpec[];
  /** How experiments and metrics combined into the objective. */
  objective: ObjectiveSpec;
  /** Absent for a shard, which only evaluates its slice. */
  result?: TuneResult;
  evaluated: number;
}
