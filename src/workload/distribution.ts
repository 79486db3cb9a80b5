/**
 * BLIS's legacy "distribution" workload (reference §7.2), the golden-dataset path:
 * a shared prefix, clamped-Gaussian prompt and output lengths, and deterministic
 * arrivals at a constant interval (the flag says Poisson; BLIS v0.6.1 is not).
 */
import { InputError } from '../errors.ts';
import { type GoRand, PartitionedRNG, SUBSYSTEM_WORKLOAD } from '../sim/rng.ts';
import { goRound } from './go-math.ts';
import { TokenSlab } from './token-slab.ts';
import type { WorkloadRequest } from './types.ts';

/** Token IDs are drawn as Intn(128000), as in BLIS. */
export const MAX_TOKEN_ID = 128000;

/** Length parameters of the distribution workload (the CLI's token flags). */
export interface DistributionLengths {
  prefixTokens: number;
  promptTokens: number;
  promptTokensStdev: number;
  promptTokensMin: number;
  promptTokensMax: number;
  outputTokens: number;
  outputTokensStdev: number;
  outputTokensMin: number;
  outputTokensMax: number;
}

export interface DistributionParams extends DistributionLengths {
  /** Requests per second. */
  rate: number;
  numRequests: number;
  /** µs; Infinity or Number.MAX_SAFE_INTEGER stand for BLIS's MaxInt64 (the default). */
  horizon?: number;
}

/** `n` token IDs drawn from `rng`, in draw order. */
export function randomTokens(rng: GoRand, n: number): Int32Array {
  return rng.fillIntn(new Int32Array(n), MAX_TOKEN_ID);
}

/**
 * BLIS's GenerateLengthGauss: no draw when min == max; otherwise N(mean, std) clamped
 * to [min, max] and rounded half away from zero. No floor: min ≤ 0 can give 0.
 */
export function gaussLength(rng: GoRand, mean: number, std: number, min: number, max: number): number {
  if (min === max) return min;
  const v = rng.normFloat64() * std + mean;
  return goRound(Math.max(min, Math.min(max, v)));
}

/**
 * The request stream, generated lazily in arrival order. Uses its own generator for
 * the "workload" subsystem (the master seed itself), so interleaving with other
 * consumers cannot shift the draws.
 */
export function* distributionRequests(
  params: DistributionParams,
  seed: bigint | number,
): Generator<WorkloadRequest> {
  const rng = new PartitionedRNG(seed).forSubsystem(SUBSYSTEM_WORKLOAD);
  const horizon = params.horizon ?? Number.POSITIVE_INFINITY;
  // Go computes int64(1 / (rate/1e6)): 10 req/s gives 99999 µs, not 100000.
  const interval = Math.trunc(1 / (params.rate / 1e6));
  const prefix = randomTokens(rng, params.prefixTokens);
  const slab = new TokenSlab();
  let t = 0;
  for (let i = 0; t < horizon && i < params.numRequests; i++) {
    const promptLen = gaussLength(
      rng,
      params.promptTokens,
      params.promptTokensStdev,
      params.promptTokensMin,
      params.promptTokensMax,
    );
    const input = slab.take(prefix.length + promptLen);
    input.set(prefix);
    rng.fillIntn(input.subarray(prefix.length), MAX_TOKEN_ID);
    const outputLen = gaussLength(
      rng,
      params.outputTokens,
      params.outputTokensStdev,
      params.outputTokensMin,
      params.outputTokensMax,
    );
    const output = rng.fillIntn(slab.take(outputLen), MAX_TOKEN_ID);
    yield { id: `request_${i}`, arrival: t, input, output };
    t += interval;
    if (t > horizon) break;
  }
}

/**
 * The CLI's checks for the distribution workload (v0.6.1), as an InputError naming
 * the flag. Note the odd rule kept for parity: a non-zero stdev must also lie in [min, max].
 */
export function validateDistributionParams(p: DistributionParams): void {
  if (!Number.isFinite(p.rate) || p.rate <= 0) throw new InputError(`--rate must be > 0, got ${p.rate}`);
  if (!Number.isInteger(p.numRequests) || p.numRequests < 0) {
    throw new InputError(`--num-requests must be a non-negative integer, got ${p.numRequests}`);
  }
  if (!Number.isInteger(p.prefixTokens) || p.prefixTokens < 0) {
    throw new InputError(`--prefix-tokens must be a non-negative integer, got ${p.prefixTokens}`);
  }
  checkLengths('prompt-tokens', p.promptTokens, p.promptTokensStdev, p.promptTokensMin, p.promptTokensMax);
  checkLengths('output-tokens', p.outputTokens, p.outputTokensStdev, p.outputTokensMin, p.outputTokensMax);
  if (p.horizon !== undefined && !(p.horizon >= 0)) {
    throw new InputError(`--horizon must be >= 0, got ${p.horizon}`);
  }
}

function checkLengths(flag: string, mean: number, stdev: number, min: number, max: number): void {
  for (const [name, v] of [
    [flag, mean],
    [`${flag}-stdev`, stdev],
  ] as const) {
    if (!Number.isFinite(v)) throw new InputError(`--${name} must be a finite number, got ${v}`);
  }
  for (const [name, v] of [
    [`${flag}-min`, min],
    [`${flag}-max`, max],
  ] as const) {
    if (!Number.isInteger(v)) throw new InputError(`--${name} must be an integer, got ${v}`);
  }
  if (stdev < 0) throw new InputError(`--${flag}-stdev must be >= 0, got ${stdev}`);
  if (min > max) throw new InputError(`--${flag}-min (${min}) must not exceed --${flag}-max (${max})`);
  if (mean < min || mean > max) {
    throw new InputError(`--${flag} (${mean}) must lie in [--${flag}-min, --${flag}-max] = [${min}, ${max}]`);
  }
  // stdev 0 is a constant length (BLIS draws nothing when min == max), which users write.
  if (stdev !== 0 && (stdev < min || stdev > max)) {
    throw new InputError(
      `--${flag}-stdev (${stdev}) must lie in [--${flag}-min, --${flag}-max] = [${min}, ${max}] (BLIS v0.6.1 rule)`,
    );
  }
}
