import { fileURLToPath } from 'node:url';
import { buildRooflineModel } from '../src/config/latency-factory.ts';
import { buildTrainedPhysicsModel } from '../src/config/trained-physics-factory.ts';
import { BlackboxModel } from '../src/latency/blackbox.ts';
import type { LatencyModel } from '../src/latency/types.ts';
import type { ClusterConfig } from '../src/sim/cluster.ts';
import type { DistributionParams } from '../src/workload/distribution.ts';
import { GOLDEN_A, GOLDEN_B } from '../test/support/golden-workloads.ts';

const LLAMA_8B_H100_TP1 = () =>
  new BlackboxModel(
    [232.46191091038054, 1.752360364195244, 3357.4400353290152],
    [5752.705191348184, 17.25086436834028, 5.999143920128404],
  );

/** Roofline models for llama-3.1-8b on H100 TP 1 from the shipped config files (loading is timed too). */
const ROOT = fileURLToPath(new URL('..', import.meta.url));
const LLAMA_8B_H100_ROOFLINE = (kind: 'roofline-v1' | 'roofline-v2') => () =>
  buildRooflineModel({
    kind,
    model: 'meta-llama/llama-3.1-8b-instruct',
    modelConfigPath: `${ROOT}model_configs`,
    hardwareConfigPath: `${ROOT}hardware_config.blis-v0.6.1.json`,
    gpu: 'H100',
    tp: 1,
    ...(kind === 'roofline-v2' && { benchDataPath: `${ROOT}bench_data` }),
  }).model;

const LLAMA_8B_H100_TRAINED_PHYSICS = () =>
  buildTrainedPhysicsModel({
    model: 'meta-llama/llama-3.1-8b-instruct',
    modelConfigPath: `${ROOT}model_configs`,
    hardwareConfigPath: `${ROOT}hardware_config.json`,
    gpu: 'H100',
    tp: 1,
  }).model;

export interface BenchCase {
  name: string;
  /** BLIS v0.6.1 (Go) requests per wall-second on this kind of machine, for the ratio. */
  blisReqPerS: number;
  params: DistributionParams;
  cluster: Partial<ClusterConfig>;
  latency: () => LatencyModel;
}

export const CASES: BenchCase[] = [
  {
    name: 'case0-10k',
    blisReqPerS: 1350,
    params: { ...GOLDEN_A, rate: 10, numRequests: 10_000 },
    cluster: { totalKVBlocks: 7463 },
    latency: LLAMA_8B_H100_TP1,
  },
  {
    name: 'case0-100k',
    blisReqPerS: 1350,
    params: { ...GOLDEN_A, rate: 10, numRequests: 100_000 },
    cluster: { totalKVBlocks: 7463 },
    latency: LLAMA_8B_H100_TP1,
  },
  {
    name: 'case1-2048tok-3k',
    blisReqPerS: 130,
    params: { ...GOLDEN_B, rate: 10, numRequests: 3000 },
    cluster: { totalKVBlocks: 7463 },
    latency: LLAMA_8B_H100_TP1,
  },
  {
    name: 'case0-4inst-rr-20k',
    blisReqPerS: 1350,
    params: { ...GOLDEN_A, rate: 40, numRequests: 20_000 },
    cluster: { totalKVBlocks: 7463, numInstances: 4, routingPolicy: 'round-robin' },
    latency: LLAMA_8B_H100_TP1,
  },
  // Same workload and KV blocks as case0-10k; only the latency model differs.
  {
    name: 'case0-roofline-v1-10k',
    blisReqPerS: 1050,
    params: { ...GOLDEN_A, rate: 10, numRequests: 10_000 },
    cluster: { totalKVBlocks: 7463 },
    latency: LLAMA_8B_H100_ROOFLINE('roofline-v1'),
  },
  {
    name: 'case0-roofline-v2-10k',
    blisReqPerS: 1050,
    params: { ...GOLDEN_A, rate: 10, numRequests: 10_000 },
    cluster: { totalKVBlocks: 7463 },
    latency: LLAMA_8B_H100_ROOFLINE('roofline-v2'),
  },
  // No BLIS v0.7.1 figure was measured here: the ratio is against BLIS v0.6.1's roofline.
  {
    name: 'case0-trained-physics-10k',
    blisReqPerS: 1050,
    params: { ...GOLDEN_A, rate: 10, numRequests: 10_000 },
    cluster: { totalKVBlocks: 7463 },
    latency: LLAMA_8B_H100_TRAINED_PHYSICS,
  },
];
