import type { PhysicsTerms } from './physics-terms.ts';
import type { RooflineOptions } from './roofline-v1.ts';

/** hardware_config.json fields of roofline v2 (reference §9.5). */
export interface RooflineV2Params extends PhysicsTerms {
  readonly TFlopsPeak: number;
  readonly BwPeakTBs: number;
  /** Multiplies the peak bandwidth; 0 or absent = 1 (off). */
  readonly bwEfficiencyFactor?: number;
  /** µs per layer per step, divided by TP. */
  readonly perLayerOverhead?: number;
  /** FP8 peak (TFLOP/s) for FP8 checkpoints' GEMMs (our rule); 0 = none. */
  readonly TFlopsFP8?: number;
  /** Multiplies every looked-up GEMM MFU (ours, for the tuner); absent = 1. */
  readonly gemmMfuScale?: number;
  /** Multiplies the decode phase's GEMM MFUs instead of gemmMfuScale (ours); absent = gemmMfuScale. */
  readonly decodeGemmMfuScale?: number;
  /** Multiplies every looked-up prefill and decode attention MFU (ours); absent = 1. */
  readonly attentionMfuScale?: number;
  /** µs every step costs whatever its shape (ours: scheduler, sampling, launch); absent = 0. */
  readonly stepOverheadMicros?: number;
  /** µs per tensor-parallel all-reduce, two per layer at TP > 1 (ours); absent = 0. */
  readonly allReduceMicros?: number;
  /** µs per MB of activations each all-reduce moves per GPU at TP > 1 (ours); absent = 0. */
  readonly allReduceMicrosPerMB?: number;
  /**
   * 0…1 (ours): how far a step holding prefill and decode requests is one forward pass over
   * all its tokens (GEMMs at the step's total M, both phases' attention, weights read once)
   * rather than the max of the two phases alone; absent = 0 = BLIS.
   */
  readonly mixedStepJoint?: number;
}

/** Prefill buckets: powers of two from 512 to 65536 (8 buckets). */
export const BUCKETS = 8;
export const BUCKET_MIN_LOG2 = 9;

/** Index of the smallest power of two ≥ seqLen, from 512, capped at 65536. */
export function bucketIndex(seqLen: number): number {
  if (seqLen <= 512) return 0;
  const bits = 32 - Math.clz32(seqLen - 1);
  const i = bits - BUCKET_MIN_LOG2;
  return i < BUCKETS ? i : BUCKETS - 1;
}

export interface RooflineV2Options extends RooflineOptions {
  /**
   * Monotone mode (ours, off by default = BLIS): GEMM and attention times come from the
   * non-decreasing envelopes of mfu/monotone.ts, prefill attention uses the MFU at each
   * request's own sequence length instead of its bucket, and prefill GEMMs run once over all
   * prefill tokens. Step time is then non-decreasing in prefill tokens, decode batch size and
   * KV length, which BLIS's v2 is not.
   */
  readonly monotone?: boolean;
}
