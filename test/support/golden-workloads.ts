import type { DistributionLengths } from '../../src/workload/distribution.ts';

/** Token lengths of BLIS v0.6.1's golden workloads A (case 0) and B (case 1), reference §14. */
export const GOLDEN_A: DistributionLengths = {
  prefixTokens: 284,
  promptTokens: 70,
  promptTokensStdev: 35,
  promptTokensMin: 2,
  promptTokensMax: 200,
  outputTokens: 215,
  outputTokensStdev: 80,
  outputTokensMin: 1,
  outputTokensMax: 512,
};

export const GOLDEN_B: DistributionLengths = {
  prefixTokens: 0,
  promptTokens: 2048,
  promptTokensStdev: 1974,
  promptTokensMin: 2,
  promptTokensMax: 3500,
  outputTokens: 28,
  outputTokensStdev: 60,
  outputTokensMin: 6,
  outputTokensMax: 200,
};
