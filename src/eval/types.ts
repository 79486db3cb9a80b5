import type { LatencyModelName } from '../latency/types.ts';

/** Metrics compared with ground truth, all in ms. */
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

/** The headline metrics of tables and the tuner's default objective. */
export const HEADLINE_METRICS: readonly Metric[] = [
  'ttft_mean',
  'ttft_p90',
  'itl_mean',
  'e2e_mean',
  'e2e_p90',
];

export const LATENCY_MODELS: readonly LatencyModelName[] = ['blackbox', 'roofline-v1', 'roofline-v2'];

export type PointStatus = 'ok' | 'not_applicable' | 'failed';

/** Facts about the experiment a point belongs to, for breakdowns. */
export interface PointMeta {
  model: string;
  gpu: string;
  tp: number;
  /** Workload family (general, codegen, roleplay, reasoning, …). */
  family: string;
  /** Which workload form was replayed: resolved, profile, distribution, trace. */
  workloadForm: string;
  /** total_kv_blocks was missing and derived from GPU memory. */
  derivedKVBlocks: boolean;
  kvBlocks: number;
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
  meta: PointMeta;
}
