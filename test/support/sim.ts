import { BlackboxModel } from '../../src/latency/blackbox.ts';
import type { LatencyModel } from '../../src/latency/types.ts';
import { type ClusterConfig, runCluster } from '../../src/sim/cluster.ts';
import { clusterConfig } from '../../src/sim/cluster-config.ts';
import { type DistributionParams, distributionRequests } from '../../src/workload/distribution.ts';
import type { RequestSource } from '../../src/workload/types.ts';

export const baseCluster = clusterConfig;

/** Golden-case style inputs (blis-reference §14) as distribution parameters. */
export function goldenParams(inputs: Record<string, number>, numRequests?: number): DistributionParams {
  return {
    rate: inputs.rate!,
    numRequests: numRequests ?? inputs['num-requests']!,
    prefixTokens: inputs.prefix_tokens!,
    promptTokens: inputs.prompt_tokens!,
    promptTokensStdev: inputs.prompt_tokens_stdev!,
    promptTokensMin: inputs.prompt_tokens_min!,
    promptTokensMax: inputs.prompt_tokens_max!,
    outputTokens: inputs.output_tokens!,
    outputTokensStdev: inputs.output_tokens_stdev!,
    outputTokensMin: inputs.output_tokens_min!,
    outputTokensMax: inputs.output_tokens_max!,
  };
}

export function source(params: DistributionParams, seed = 42): RequestSource {
  return { [Symbol.iterator]: () => distributionRequests(params, seed) };
}

export function simulate(cfg: ClusterConfig, latency: LatencyModel, src: RequestSource) {
  return runCluster(cfg, latency, src);
}

export const blackbox = (alpha: number[], beta: number[]) => new BlackboxModel(alpha, beta);
