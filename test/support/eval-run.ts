import { computeStats } from '../../src/eval/stats.ts';
import type { EvalRun, ExperimentInfo, PointMeta, PointResult } from '../../src/eval/types.ts';
import type { Metric } from '../../src/groundtruth/experiment.ts';
import type { LatencyModelName } from '../../src/latency/types.ts';

/** Small evaluator results for the statistics and report tests. */

export const META_A: PointMeta = {
  model: 'meta-llama/llama-3.1-8b-instruct',
  gpu: 'H100',
  tp: 1,
  family: 'general',
  workloadForm: 'resolved',
  derivedKVBlocks: false,
  kvBlocks: 50000,
};

export const META_B: PointMeta = {
  model: 'qwen/qwen2.5-7b-instruct',
  gpu: 'A100',
  tp: 2,
  family: 'codegen',
  workloadForm: 'profile',
  derivedKVBlocks: true,
  kvBlocks: 12345,
};

type Values = Partial<Record<Metric, number>>;

/** An ok point with the given measured and predicted values. */
export function okPoint(
  experiment: string,
  point: string,
  latencyModel: LatencyModelName,
  measured: Values,
  predicted: Values,
  meta: PointMeta = META_A,
  seed = 42,
): PointResult {
  return { experiment, point, latencyModel, seed, status: 'ok', measured, predicted, meta };
}

/** A point without predictions: not applicable or failed, with its reason. */
export function badPoint(
  experiment: string,
  point: string,
  latencyModel: LatencyModelName,
  status: 'not_applicable' | 'failed',
  reason: string,
  measured: Values,
  meta: PointMeta = META_A,
): PointResult {
  return { experiment, point, latencyModel, seed: 42, status, reason, measured, predicted: {}, meta };
}

const full = (e2e: number, ttft: number, itl: number): Values => ({
  ttft_mean: ttft,
  ttft_p90: ttft * 1.5,
  itl_mean: itl,
  e2e_mean: e2e,
  e2e_p90: e2e * 1.4,
});

/** Two experiments, three latency models, ok / n.a. / failed points, one with a hostile name. */
export function samplePoints(nameB = 'exp-b'): PointResult[] {
  return [
    okPoint('exp-a', 'summary', 'blackbox', full(1000, 50, 8), full(1100, 45, 8.4)),
    okPoint('exp-a', 'summary', 'roofline-v1', full(1000, 50, 8), full(800, 60, 7)),
    badPoint(
      'exp-a',
      'summary',
      'roofline-v2',
      'not_applicable',
      'no MFU tables for H100, "tp=1"',
      full(1000, 50, 8),
    ),
    okPoint('exp-a', 'stage-0', 'blackbox', full(900, 40, 7), full(2000, 90, 20)),
    okPoint('exp-a', 'stage-0', 'roofline-v1', full(900, 40, 7), full(950, 41, 7.1)),
    badPoint(
      'exp-a',
      'stage-0',
      'roofline-v2',
      'not_applicable',
      'no MFU tables for H100, "tp=1"',
      full(900, 40, 7),
    ),
    okPoint(nameB, 'qps-1', 'blackbox', full(2000, 80, 12), full(1900, 70, 12.5), META_B),
    okPoint(nameB, 'qps-1', 'roofline-v1', full(2000, 80, 12), full(2600, 100, 15), META_B),
    badPoint(
      nameB,
      'qps-1',
      'roofline-v2',
      'failed',
      'worker crashed:\nout of memory',
      full(2000, 80, 12),
      META_B,
    ),
    okPoint(nameB, 'qps-2', 'blackbox', full(3000, 120, 14), full(2700, 110, 13), META_B),
    okPoint(nameB, 'qps-2', 'roofline-v1', full(3000, 120, 14), full(3300, 150, 16), META_B),
    okPoint(nameB, 'qps-2', 'roofline-v2', full(3000, 120, 14), full(3050, 118, 14.2), META_B),
  ];
}

const input = (path: string, c: string) => ({ path, sha256: c.repeat(64) });

/** A whole EvalRun around `points`, statistics included. */
export function sampleRun(points: PointResult[] = samplePoints(), complete = true): EvalRun {
  const names = [...new Set(points.map((p) => p.experiment))];
  const experiments: ExperimentInfo[] = names.map((name) => {
    const mine = points.filter((p) => p.experiment === name);
    return { name, meta: mine[0]!.meta, points: [...new Set(mine.map((p) => p.point))] };
  });
  return {
    tool: { name: 'blis-eval', version: '0.1.0' },
    runId: 'abc123def456',
    createdAt: '2025-01-02T03:04:05.000Z',
    complete,
    options: {
      latencyModels: ['blackbox', 'roofline-v1', 'roofline-v2'],
      seeds: 1,
      workloadForm: 'executed',
      kvLeak: 'fixed',
      timeoutS: 600,
    },
    inputs: {
      groundTruth: input('eval/combined_ground_truth.json', 'a'),
      hardwareConfig: input('hardware_config.json', 'b'),
      benchData: input('bench_data', 'c'),
      modelConfigs: input('model_configs', 'd'),
      coefficients: input('defaults.yaml', 'e'),
    },
    percentileDefinition: 'linear interpolation between closest ranks (numpy default)',
    experiments,
    points,
    stats: computeStats(points, { bootstrapSamples: 200 }),
  };
}
