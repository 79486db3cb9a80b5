import { InputError } from '../errors.ts';
import { denseLayers, expectedActiveExperts, expertWeightBytes, type ModelArch } from './arch.ts';

/**
 * Per-model constants of the roofline-v1 FLOP and byte formulas (reference §9.3), computed once.
 *
 * BLIS v0.6.1 uses dh = hidden/heads (float), dkv = KV·dh, dff = intermediate_size, one
 * BytesPerParam B for everything, every MLP dense. For the models BLIS handled, every
 * product below is an exact integer in float64, so the per-request sums are exact whatever
 * their grouping, and only the few final divisions follow BLIS's order.
 *
 * Our generalisations (BLIS v0.6.1 had no rule; each reduces to BLIS's formula when it does
 * not apply):
 * - headDim: with `useConfigHeadDim` and a config head_dim ≠ hidden/heads, Q/O use H·head_dim
 *   and K/V use KV·head_dim (BLIS ignores head_dim).
 * - MoE: FLOPs count the active experts, topK·dff_expert per token (plus shared experts and
 *   the router GEMM d·E); weight bytes count the expected distinct experts the group's tokens
 *   touch, E·(1 − (1 − k/E)^tokens), plus shared experts and router.
 * - FP8: weights are 1 byte (activations and KV stay at torch_dtype width); projection and MLP
 *   FLOPs run at the GPU's FP8 peak when it has one; attention stays at the 16-bit peak.
 * - MXFP4 experts (gpt-oss): routed experts are read at 4.25 bits per weight, everything else
 *   at 16 bits; all FLOPs at the 16-bit peak (vLLM dequantises them on Hopper and Ampere).
 */
export interface V1Geometry {
  readonly layers: number;
  readonly d: number;
  readonly heads: number;
  /** Head dim used by the formulas (float; hidden/heads in BLIS mode). */
  readonly dh: number;
  /** Projection (QKV + O) FLOPs per new token, whole model. */
  readonly projFlopsPerToken: number;
  /** MLP FLOPs per new token, whole model (active experts only for MoE). */
  readonly mlpFlopsPerToken: number;
  /** Activation bytes per new token (Lyr·d·B). */
  readonly actBytesPerToken: number;
  /** KV bytes per token of context (2·Lyr·KV·dh·B). */
  readonly kvBytesPerToken: number;
  /** Weight bytes of a dense model (BLIS's model_weights); for MoE see weightBytes(). */
  readonly denseWeightBytes: number;
  /** True when GEMMs (projections + MLP) run at the FP8 peak. */
  readonly fp8: boolean;
  readonly moe: boolean;
  /** Weight bytes a group of `tokens` tokens loads (differs from denseWeightBytes only for MoE). */
  weightBytes(tokens: number): number;
}

export interface GeometryOptions {
  /** Use the config's head_dim where it differs from hidden/heads (default true; false = BLIS). */
  readonly useConfigHeadDim?: boolean;
  /** The GPU's FP8 peak in TFLOP/s (0 or absent: none). */
  readonly tflopsFP8?: number;
}

export function checkArch(a: ModelArch, tp: number): void {
  if (a.refusal !== undefined) throw new InputError(a.refusal);
  const where = `model ${a.name}`;
  if (!(Number.isInteger(tp) && tp > 0))
    throw new InputError(`${where}: TP must be a positive integer, got ${tp}`);
  if (!(a.numHeads > 0 && a.numLayers > 0 && a.hiddenSize > 0)) {
    throw new InputError(`${where}: num_attention_heads, num_hidden_layers and hidden_size must be > 0`);
  }
  if (!(Number.isFinite(a.bytesPerParam) && a.bytesPerParam > 0)) {
    throw new InputError(`${where}: bytes per parameter must be > 0 (torch_dtype unknown?)`);
  }
}

export function v1Geometry(a: ModelArch, opts: GeometryOptions = {}): V1Geometry {
  const L = a.numLayers;
  const d = a.hiddenSize;
  const H = a.numHeads;
  const KV = a.numKVHeads;
  const B = a.bytesPerParam;
  const Bw = a.weightBytesPerParam;
  const ownHead = (opts.useConfigHeadDim ?? true) && a.headDimDiffers;
  const dh = ownHead ? a.headDim : d / H;
  const qDim = ownHead ? H * a.headDim : d;
  const dkv = KV * dh;
  const dff = a.intermediateSize;
  const projFlopsPerToken = L * (2 * (d * qDim + 2 * d * dkv) + 2 * qDim * d);
  const attnWeights = d * (qDim + 2 * dkv) + qDim * d;
  const moe = a.moe;
  let mlpFlopsPerToken: number;
  let denseWeightBytes: number;
  let weightBytes: (tokens: number) => number;
  if (!moe) {
    mlpFlopsPerToken = L * 2 * 3 * d * dff;
    denseWeightBytes = L * Bw * (attnWeights + 3 * d * dff);
    weightBytes = () => denseWeightBytes;
  } else {
    const dl = denseLayers(a);
    const activePerLayer =
      3 * d * (moe.topK * moe.expertIntermediateSize + moe.sharedExperts * moe.sharedIntermediateSize) +
      d * moe.numExperts;
    mlpFlopsPerToken = 2 * (dl * 3 * d * dff + moe.moeLayers * activePerLayer);
    const fixed = Bw * (L * attnWeights + dl * 3 * d * dff);
    const perMoeLayerFixed =
      Bw * (moe.sharedExperts * 3 * d * moe.sharedIntermediateSize + d * moe.numExperts);
    const perExpert = expertWeightBytes(a) * 3 * d * moe.expertIntermediateSize;
    denseWeightBytes = fixed + moe.moeLayers * (perMoeLayerFixed + moe.numExperts * perExpert);
    weightBytes = (tokens) =>
      fixed + moe.moeLayers * (perMoeLayerFixed + expectedActiveExperts(moe, tokens) * perExpert);
  }
  return {
    layers: L,
    d,
    heads: H,
    dh,
    projFlopsPerToken,
    mlpFlopsPerToken,
    actBytesPerToken: L * d * B,
    kvBytesPerToken: a.kvLatentDim !== undefined ? L * a.kvLatentDim * B : 2 * L * KV * dh * B,
    denseWeightBytes,
    fp8: a.fp8Weights && (opts.tflopsFP8 ?? 0) > 0,
    moe: moe !== undefined,
    weightBytes,
  };
}

/** BLIS's effective context for attention: s for one token, s + (t−1)/2 for a chunk. */
export function effectiveContext(s: number, t: number): number {
  return t <= 1 ? s : s + (t - 1) / 2;
}
