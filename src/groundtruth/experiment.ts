import type { ClientLimit } from '../workload/closed-loop.ts';
import type { DistributionParams } from '../workload/distribution.ts';
import type { MeasuredLengths } from '../workload/measured-prefix.ts';
import type { ExecutedSharedPrefix } from '../workload/shared-prefix.ts';
import type { InferencePerfSpec } from '../workload/spec-schema.ts';

/** The metrics a run measures and the simulator is compared on, all in ms. */
export const METRICS = [
  'ttft_mean',
  'ttft_p50',
  'ttft_p90',
  'ttft_p99',
  'itl_mean',
  'e2e_mean',
  'e2e_p50',
  'e2e_p90',
  'e2e_p99',
] as const;
export type Metric = (typeof METRICS)[number];

/** The load a point was planned at (point-load.ts reads it from the file). */
export interface PointLoad {
  kind: 'rate' | 'concurrency';
  /** Requests/s, or requests in flight. */
  value: number;
}

/** One request of a per-request trace; token IDs are present for BLIS-format traces only. */
export interface TraceRow {
  arrivalUs: number;
  inputTokens: number;
  outputTokens: number;
  inputIds?: Int32Array;
  outputIds?: Int32Array;
  /** Stage the request arrived in (staged experiments replayed from a trace). */
  stage?: number;
  /** The request's measured TTFT and E2E (ms), when the trace records them. */
  ttftMs?: number;
  e2eMs?: number;
}

/** The workload one simulation replays. Plain data: it crosses into worker threads. */
export type WorkloadPlan =
  | { kind: 'executed'; spec: ExecutedSharedPrefix }
  /** The executed structure with lengths drawn to match `measured_token_stats`. */
  | { kind: 'measured'; spec: ExecutedSharedPrefix; lengths: MeasuredLengths }
  | { kind: 'profile'; spec: InferencePerfSpec }
  | { kind: 'distribution'; params: DistributionParams }
  | { kind: 'trace'; rows: TraceRow[] };

/** How an experiment's workload was replayed, as the report states it. */
export type WorkloadForm =
  | 'measured'
  /** The executed structure, measured at the mean output the run's E2E, TTFT and ITL imply. */
  | 'implied-output'
  | 'resolved'
  | 'profile-constant'
  | 'profile-blis-expansion'
  | 'distribution'
  | 'trace';

/** What the load generator reports about a point's completed requests (the replay is checked against it). */
export interface MeasuredWorkload {
  completed?: number;
  promptMean?: number;
  outputMean?: number;
  requestsPerSec?: number;
}

/** A measured point: the whole run (`summary`), a stage (`stage-<i>`) or a qps run. */
export interface MeasuredPoint {
  id: string;
  /** Stage whose arrivals the point covers; null = every request of the simulation. */
  stage: number | null;
  measured: Partial<Record<Metric, number>>;
  /** Absent where the file reports nothing about the point's requests. */
  workload?: MeasuredWorkload;
  /** The load the point was planned at (point-load.ts); absent for a burst or an unknown rate. */
  load?: PointLoad;
  /** Failed / sent requests of the point, where the file counts them. */
  failedFraction?: number;
}

/** One simulation and the points measured from it. */
export interface Replay {
  id: string;
  workload: WorkloadPlan;
  points: MeasuredPoint[];
  /** The mean output its client counted of each request, where not what the server generated. */
  clientOutput?: number;
  /** A client that limited concurrency: replayed as a closed loop. */
  client?: ClientLimit;
}

export interface EngineConfig {
  maxNumSeqs: number;
  maxNumBatchedTokens: number;
  blockSize: number;
  /** null: derive from GPU memory. */
  totalKvBlocks: number | null;
  cpuKvBlocks: number;
  gpuMemoryUtilization: number;
  /** vLLM's chunked prefill and prefix caching (on unless the file says off). */
  chunkedPrefill: boolean;
  prefixCaching: boolean;
  /**
   * Whether the engine overlapped its CPU work with the GPU (async scheduling): the stated
   * switch, else the version's default (vllm-version.ts); null when neither says.
   */
  asyncScheduling: boolean | null;
}

/** A ground-truth experiment, normalised from any of the three shapes. */
export interface Experiment {
  name: string;
  model: string;
  /** The model's own config.json or folder (absolute), from the file or --model-config; else the model-config root's. */
  modelConfig?: string;
  gpu: string;
  tp: number;
  family: string;
  vllmVersion: string | null;
  /** Base workload seed (the file's, else 42); seed k of `--seeds N` adds k. */
  seed: number;
  /**
   * Failed / sent requests on the real server (null: not recorded). Its latencies are then
   * those of the requests that survived the client's timeout, a censored sample.
   */
  failedFraction: number | null;
  /** The file flags the run `overloaded` (the importer saw the client fall behind or requests fail). */
  overloaded?: true;
  engine: EngineConfig;
  workloadForm: WorkloadForm;
  /** What reports add to the form: arrivals drawn rather than the run's own, a closed loop. */
  replayNote?: string;
  replays: Replay[];
}

/** The workload form as reports print it, with the replay's note ("measured; …"). */
export function formLabel(x: Pick<Experiment, 'workloadForm' | 'replayNote'>): string {
  return x.replayNote ? `${x.workloadForm}; ${x.replayNote}` : x.workloadForm;
}

/** vLLM's defaults where a file leaves a field null (BLIS's flag defaults agree). */
export const ENGINE_DEFAULTS = {
  maxNumSeqs: 256,
  maxNumBatchedTokens: 2048,
  blockSize: 16,
  gpuMemoryUtilization: 0.9,
} as const;

export const DEFAULT_SEED = 42;

/**
 * A run whose server failed more than this fraction of its requests measured only the
 * requests that outlived the client's timeout: the evaluator labels its points so, and the
 * tuner leaves it out by default.
 */
export const FAILING_FRACTION = 0.05;

/** Whether a run's failed fraction makes its latencies censored (see FAILING_FRACTION). */
export function isFailingRun(failedFraction: number | null | undefined): boolean {
  return (failedFraction ?? 0) > FAILING_FRACTION;
}

/** A failed fraction as reports print it, e.g. "84.8 %". */
export function failedPercent(failedFraction: number | null | undefined): string {
  return `${(100 * (failedFraction ?? 0)).toFixed(1)} %`;
}
