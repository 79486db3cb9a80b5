import type { Metric } from '../groundtruth/experiment.ts';
import type { WorkloadFormOption } from '../groundtruth/normalize.ts';
import type { LatencyModelName } from '../latency/types.ts';
import type { KvLeakMode } from '../sim/kv-cache.ts';

/** The configuration inputs, by the name the settings give them. */
export type PathKey = 'hardwareConfig' | 'modelConfigs' | 'benchData' | 'coefficients';

/**
 * Input files and pool settings, validated (commands/eval-options.ts builds them from the
 * flags); what the eval, tune, nightly and export sessions are given.
 */
export interface InputSettings {
  groundTruth: string;
  hardwareConfig: string;
  modelConfigs: string;
  benchData: string;
  coefficients: string;
  /** --model-config flags, `[<model>=]<config.json|dir>` (eval/model-config-args.ts). */
  modelConfigArgs?: string[];
  /** --only / --exclude: experiment names or globs (absent: every experiment). */
  only?: string[];
  exclude?: string[];
  /** Paths the user gave explicitly must exist (defaults may fall back). */
  explicit: Set<PathKey>;
  jobs: number;
  timeoutS: number;
  workloadForm: WorkloadFormOption;
  kvLeak: KvLeakMode;
  /** roofline-v2 on a GPU without MFU tables: the nearest measured GPU's, transferred (--mfu-transfer). */
  mfuTransfer: boolean;
  quiet: boolean;
}

/** What an evaluator run needs. */
export interface EvalSettings extends InputSettings {
  latencyModels: LatencyModelName[];
  seeds: number;
  metrics: Metric[];
  /** Count experiments whose server failed > 5 % of requests in the aggregates too. */
  includeFailing: boolean;
}
