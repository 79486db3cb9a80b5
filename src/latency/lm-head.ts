import type { ModelArch } from './arch.ts';

/**
 * The LM head (ours; neither BLIS roofline has one): the vocabulary × hidden GEMM that turns
 * each scheduled request's last hidden row into logits. vLLM (V1) computes one logits row per
 * request the step schedules, a partial prefill chunk included (its sample is discarded), and
 * splits the vocabulary across TP. Its weight is the output embedding, kept at the activation
 * width in quantised checkpoints, and read once per step whatever the batch. Its share of a
 * decode step follows the vocabulary: 7.0 % of Llama-3.1-8B's weight bytes (128 256 × 4 096), 2 %
 * of Llama-2-7B's (32 000 × 4 096), so no global bandwidth factor can stand in for it.
 */
export interface LmHeadCost {
  /** FLOPs per logits row (whole model, before TP). */
  readonly flopsPerRow: number;
  /** Weight bytes a step reads (whole model, before TP). */
  readonly bytes: number;
  /** GEMM shape: K = hidden, N = vocabulary. */
  readonly k: number;
  readonly n: number;
}

/** The LM head's cost scaled by `scale` (hardware_config `lmHeadScale`; 0 = off = BLIS). */
export function lmHeadCost(arch: ModelArch, scale: number): LmHeadCost {
  const params = arch.vocabSize * arch.hiddenSize;
  return {
    flopsPerRow: 2 * params * scale,
    bytes: params * arch.bytesPerParam * scale,
    k: arch.hiddenSize,
    n: arch.vocabSize,
  };
}
