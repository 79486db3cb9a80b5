import type { Metric } from '../groundtruth/experiment.ts';
import type { WorkloadFormOption } from '../groundtruth/normalize.ts';
import type { LatencyModelName } from '../latency/types.ts';
import type { KvLeakMode } from '../sim/kv-cache.ts';
import type { KneeReport, PointLoadInfo } from './knee-types.ts';
import type { RequestLevelErrors } from './request-level.ts';

/** The headline metrics of tables and the tuner's default objective. */
export const HEADLINE_METRICS: readonly Metric[] = [
  'ttft_mean',
  'ttft_p90',
  'itl_mean',
  'e2e_mean',
  'e2e_p90',
];

export type PointStatus = 'ok' | 'not_applicable' | 'failed';

/** Facts about the experiment a point belongs to, for breakdowns. */
export interface PointMeta {
  model: string;
  gpu: string;
  tp: number;
  /** Workload family (general, codegen, roleplay, reasoning, …). */
  family: string;
  /**
   * Which workload form was replayed (resolved, profile, distribution, trace), with what
   * reports must say of its arrivals: drawn rather than the run's own, a closed loop.
   */
  workloadForm: string;
  /** The replay's note alone (also in workloadForm): drawn arrivals, a closed loop. */
  replayNote?: string;
  /** total_kv_blocks was missing and derived from GPU memory. */
  derivedKVBlocks: boolean;
  kvBlocks: number;
  /** Failed / sent requests on the real server, where the file records any failed. */
  failedFraction?: number;
  /** The ground truth flags the experiment `overloaded` (flags.overloaded, set by the importer). */
  overloaded?: true;
}

/** Quantities the replay is checked on against the measurement. */
export type ReplayQuantity = 'completed' | 'promptMean' | 'outputMean' | 'requestsPerSec';
export type ReplayFigures = Record<ReplayQuantity, number>;

/**
 * What the replay sent for a point next to what was measured; `mismatch` lists the quantities
 * more than 5 % apart (the point is then a "workload mismatch", not a latency-model error).
 */
export interface ReplayCheck {
  sent: ReplayFigures;
  measured: Partial<ReplayFigures>;
  mismatch: ReplayQuantity[];
}

/**
 * One compared point: an experiment's `summary`, `stage-<i>` or `qps-<rate>`, under one
 * latency model (and seed). Predicted values are absent unless status is ok.
 */
export interface PointResult {
  experiment: string;
  point: string;
  latencyModel: LatencyModelName;
  seed: number;
  status: PointStatus;
  /** Why not applicable, or the error of a failed job. */
  reason?: string;
  measured: Partial<Record<Metric, number>>;
  predicted: Partial<Record<Metric, number>>;
  /**
   * Simulated mean TTFT of the point's last third of requests (arrival order) over its first
   * third: far above 1 when the simulated queue grows without bound (point-metrics.ts).
   */
  simTtftGrowth?: number;
  meta: PointMeta;
  /** Per-request errors, for trace replays that carry each request's measured latencies. */
  requestLevel?: RequestLevelErrors;
  /** Replay vs measurement (ok points whose file reports the point's requests). */
  replay?: ReplayCheck;
  /** roofline-v2 ran on MFU tables transferred from this measured GPU (config/bench-transfer.ts). */
  tablesFrom?: string;
}

/** One row of errors.csv: a point × metric × latency model. Null where status is not ok. */
export interface ErrorRow {
  experiment: string;
  point: string;
  latencyModel: LatencyModelName;
  seed: number;
  metric: Metric;
  measured: number;
  predicted: number | null;
  absError: number | null;
  /** |predicted − measured| / measured × 100. */
  ape: number | null;
  /** Signed (predicted − measured) / measured × 100: positive = over-prediction. */
  pe: number | null;
  status: PointStatus;
  /** Context a user filters by: the experiment's model, GPU, TP, workload family and form. */
  meta: PointMeta;
  /** Why the point is n.a. or failed. */
  reason?: string;
  /** failure-class.ts: "predicted overload", "failed: <reason>", … */
  failureClass?: string;
  /** Replay-check quantities more than 5 % off the measurement, `;`-separated ('' = none or unchecked). */
  workloadMismatch: string;
}

/** Error statistics of one metric over a set of ok points. */
export interface MetricStats {
  metric: Metric;
  /** ok points with this metric measured. */
  n: number;
  mape: number;
  medianApe: number;
  /** Mean signed PE (bias). */
  meanPe: number;
  p90Ape: number;
  maxApe: number;
  /** Bootstrap 95 % confidence interval of the MAPE (seeded); null with fewer than 2 points. */
  ci95: [number, number] | null;
}

export interface StatusCounts {
  ok: number;
  notApplicable: number;
  failed: number;
}

/** Aggregates for one latency model over every point (or one breakdown group). */
export interface ModelStats {
  latencyModel: LatencyModelName;
  counts: StatusCounts;
  metrics: MetricStats[];
}

export type BreakdownKey = 'model' | 'gpu' | 'tp' | 'family';

export interface BreakdownGroup extends ModelStats {
  by: BreakdownKey;
  /** The group's value, e.g. "meta-llama/Llama-2-7b-hf", "H100", "2", "codegen". */
  key: string;
}

/**
 * Which of the models compared on a set of points is best for one metric, and by how much.
 * Below MIN_RANK_EXPERIMENTS experiments nothing is ranked: `ranked` is false and no best is
 * named (the MAPEs are still listed).
 */
export interface MetricVerdict {
  metric: Metric;
  /** Compared points with this metric measured. */
  n: number;
  /** Distinct experiments among those points. */
  experiments: number;
  ranked: boolean;
  /** Every compared model's MAPE on the points, lowest first. */
  mapes: { latencyModel: LatencyModelName; mape: number }[];
  /** The lowest MAPE's model; null when not ranked. */
  best: LatencyModelName | null;
  bestMape: number | null;
  /** The next best model; null when only one model is compared, or not ranked. */
  runnerUp: LatencyModelName | null;
  runnerUpMape: number | null;
  /** Runner-up MAPE − best MAPE, in percentage points. */
  gapPp: number | null;
  /** Paired bootstrap 95 % CI of the gap over the compared points; null with fewer than 2. */
  gapCi95: [number, number] | null;
}

/**
 * Latency models compared on exactly the same whole-run points (experiment × point × seed):
 * the points every one of `models` has an ok prediction for, and each model's statistics
 * over exactly those.
 */
export interface Comparison {
  models: LatencyModelName[];
  experiments: string[];
  /** Points in the set (each seed one entry). */
  points: number;
  stats: ModelStats[];
  verdicts: MetricVerdict[];
}

/** How much of the run one latency model has ok predictions for (whole-run points in scope). */
export interface Coverage {
  latencyModel: LatencyModelName;
  points: number;
  experiments: number;
}

/**
 * The fair comparison. The headline compares the models that cover the run (common-set.ts's
 * rule): `models`, on the points all of them ran. A model with ok points that would shrink
 * that set too far is low-coverage: left out of the headline and compared with each other
 * model on their common points (`pairs`). A model with no ok point at all is `excluded`.
 */
export interface CommonSet extends Comparison {
  /** Latency models of the run with no ok point, not compared. */
  excluded: LatencyModelName[];
  /** Models with ok points left out of the headline for their coverage. */
  lowCoverage: LatencyModelName[];
  /** Every model with an ok point, best-covered first. */
  coverage: Coverage[];
  /** Whole-run points and experiments in scope. */
  scope: { points: number; experiments: number };
  /** Each low-coverage model against each other model with ok points, on their common points. */
  pairs: Comparison[];
}

export interface EvalStats {
  /**
   * Experiments left out of every aggregate because their server failed > 5 % of requests
   * (censored latencies); their points are still in the run and its tables.
   */
  leftOut: string[];
  models: ModelStats[];
  breakdowns: BreakdownGroup[];
  common: CommonSet;
}

/** An input file and its content hash, so a report names exactly what it measured. */
export interface InputVersion {
  path: string;
  sha256: string;
}

export interface ExperimentInfo {
  name: string;
  meta: PointMeta;
  /** Point ids in order: summary, stage-<i>, qps-<rate>. */
  points: string[];
  /** The points with a planned load (stages, rate or concurrency points), in point order. */
  loads?: PointLoadInfo[];
}

/** Everything one evaluator run produced: the content of results.json. */
export interface EvalRun {
  tool: { name: 'blis-eval'; version: string };
  runId: string;
  /** ISO time; the only field that differs between runs on the same inputs. */
  createdAt: string;
  /** false when Ctrl-C stopped the run: points holds what finished. */
  complete: boolean;
  options: {
    latencyModels: LatencyModelName[];
    seeds: number;
    workloadForm: WorkloadFormOption;
    /** The simulator's KV-block leak: BLIS v0.6.1's, or fixed. */
    kvLeak: KvLeakMode;
    timeoutS: number;
    /** --include-failing: censored experiments count in the aggregates too. */
    includeFailing?: boolean;
    /** --only / --exclude as given (the file's other experiments were not evaluated). */
    only?: string[];
    exclude?: string[];
    /** --mfu-transfer on: roofline-v2 on a GPU without MFU tables ran on transferred ones. */
    mfuTransfer?: boolean;
  };
  inputs: {
    groundTruth: InputVersion;
    hardwareConfig: InputVersion;
    /** One hash over the bench-data tree (sorted relative paths and contents). */
    benchData: InputVersion;
    modelConfigs: InputVersion;
    coefficients: InputVersion;
  };
  /** How percentiles are computed, as the report states it. */
  percentileDefinition: string;
  /** GPUs of the experiments that took fields from the hardware config's defaults entry. */
  inherited?: { gpu: string; fields: string[] }[];
  experiments: ExperimentInfo[];
  /** Sorted by experiment, point order, latency model, seed. */
  points: PointResult[];
  stats: EvalStats;
  /** Where the server stops keeping up, measured and predicted (knee.ts); absent in older results. */
  knees?: KneeReport;
  /** The --fail-above gate, when one was set: which model and metric crossed it. */
  gate?: Gate;
}

export interface Gate {
  /** The threshold, MAPE in %. */
  failAbove: number;
  metrics: Metric[];
  crossed: { latencyModel: LatencyModelName; metric: Metric; mape: number }[];
}
