import type { Calibration } from '../config/latency-factory.ts';
import type { Experiment, Replay } from '../groundtruth/experiment.ts';
import type { LatencyModelName } from '../latency/types.ts';
import type { KvLeakMode } from '../sim/kv-cache.ts';
import type { PointResult } from './types.ts';

/** Input files a job reads (absolute paths; workers cache what they load). */
export interface JobPaths {
  hardwareConfig: string;
  modelConfigs: string;
  benchData: string;
  coefficients: string;
  /** roofline-v2 on a GPU without tables runs on the nearest measured GPU's, transferred. */
  mfuTransfer?: boolean;
}

/** One simulation: an experiment's replay under one latency model and seed. Plain data. */
export interface EvalJob {
  experiment: Omit<Experiment, 'replays'>;
  replay: Replay;
  latencyModel: LatencyModelName;
  /** 0 … seeds−1; the workload seed is experiment.seed + seedIndex. */
  seedIndex: number;
  paths: JobPaths;
  /** BLIS v0.6.1's KV-block leak, or the fix of later releases (the evaluator's default). */
  kvLeak: KvLeakMode;
  /** Tuner candidate laid over hardware_config.json. */
  calibration?: Calibration;
  /** Tuner searches: replay only this fraction of each stage (see fidelity.ts); absent = all. */
  fidelity?: number;
  /** The same replay runs again (tuner candidates): the worker keeps its generated requests. */
  reuseWorkload?: boolean;
}

export interface JobOutput {
  points: PointResult[];
  /** MFU-table fallbacks and similar notes, for stderr. */
  warnings: string[];
}
