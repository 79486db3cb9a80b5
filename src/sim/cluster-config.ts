import type { ClusterConfig } from './cluster.ts';

/**
 * A cluster configuration with BLIS v0.6.1's `run` defaults (one instance, no horizon,
 * 1 000 000 KV blocks of 16 tokens, 2048-token budget, 256 running requests, fcfs,
 * always-admit, round-robin, v0.6.1's KV-block leak), overridden field by field.
 */
export function clusterConfig(over: Partial<ClusterConfig> = {}): ClusterConfig {
  return {
    numInstances: 1,
    horizon: Number.POSITIVE_INFINITY,
    totalKVBlocks: 1_000_000,
    blockSize: 16,
    cpuTier: null,
    maxScheduledTokens: 2048,
    maxRunningReqs: 256,
    longPrefillTokenThreshold: 0,
    priorityPolicy: 'constant',
    scheduler: 'fcfs',
    kvLeak: 'v0.6.1',
    admission: { policy: 'always-admit', tokenBucketCapacity: 10_000, tokenBucketRefillRate: 1000 },
    admissionLatency: 0,
    routingLatency: 0,
    routingPolicy: 'round-robin',
    routingScorers: [],
    snapshotRefreshInterval: 0,
    traceDecisions: false,
    counterfactualK: 0,
    ...over,
  };
}
