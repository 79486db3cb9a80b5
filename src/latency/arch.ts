import type { AttentionWindow } from './arch-features.ts';

/**
 * What the roofline models know about a model: the figures of its HuggingFace config.json
 * (reference §10) plus the MoE and quantisation facts BLIS v0.6.1 did not model.
 * Produced by config/model-config.ts; pure data here.
 */
export interface MoeArch {
  /** Routed experts per MoE layer. */
  readonly numExperts: number;
  /** Routed experts each token uses. */
  readonly topK: number;
  /** SwiGLU width of one routed expert. */
  readonly expertIntermediateSize: number;
  /** Always-active shared experts per MoE layer (Llama 4: 1, DeepSeek: n_shared_experts). */
  readonly sharedExperts: number;
  readonly sharedIntermediateSize: number;
  /** Layers whose MLP is the MoE block; the others use the dense `intermediateSize`. */
  readonly moeLayers: number;
}

export interface ModelArch {
  readonly name: string;
  /** architectures[0] (or model_type) of the config. */
  readonly architecture: string;
  readonly numLayers: number;
  readonly hiddenSize: number;
  readonly numHeads: number;
  /** num_key_value_heads (0 or absent → numHeads). */
  readonly numKVHeads: number;
  /** The config's head_dim when it gives one, else hidden/heads (truncated). */
  readonly headDim: number;
  /** True when the config gives a head_dim different from hidden/heads (BLIS ignores it). */
  readonly headDimDiffers: boolean;
  /** Dense MLP width (intermediate_size; 0 → 4·hidden as in BLIS; Llama 4: intermediate_size_mlp). */
  readonly intermediateSize: number;
  readonly vocabSize: number;
  readonly tieWordEmbeddings: boolean;
  /** BLIS's BytesPerParam from torch_dtype (2 for bf16/fp16). Also the KV-cache and activation width. */
  readonly bytesPerParam: number;
  /** Bytes per weight of the linear layers: 1 for FP8 checkpoints, 0.5 for 4-bit, else bytesPerParam. */
  readonly weightBytesPerParam: number;
  /** True for FP8 (float8) weights: GEMMs may run at the GPU's FP8 peak. */
  readonly fp8Weights: boolean;
  /**
   * Bytes per weight of the routed experts where they differ from the other linear layers
   * (MXFP4 experts: 4.25 bits); absent = weightBytesPerParam.
   */
  readonly expertWeightBytesPerParam?: number;
  readonly moe?: MoeArch;
  /**
   * MLA models (DeepSeek-V2/V3 family): width of the cached latent per token and layer
   * (kv_lora_rank + qk_rope_head_dim), replacing 2·KV·head_dim in KV bytes. Ours; BLIS reads
   * num_key_value_heads only.
   */
  readonly kvLatentDim?: number;
  /**
   * Why no latency model may run this model (a feature their step-time formulas do not
   * represent, e.g. MLA); KV blocks can still be derived from it. Absent = representable.
   */
  readonly refusal?: string;
  /** Sliding-window or chunked local attention (latency/attention-window.ts). */
  readonly attentionWindow?: AttentionWindow;
}

/**
 * MXFP4 (OCP microscaling): 4-bit values plus one 8-bit scale per 32 = 4.25 bits per weight
 * (vLLM's Mxfp4MoEMethod: uint8 weights of hidden/2 bytes and uint8 scales of hidden/32).
 */
export const MXFP4_BYTES_PER_PARAM = (4 + 8 / 32) / 8;

/** Dense layers (those without the MoE block). */
export function denseLayers(a: ModelArch): number {
  return a.moe ? a.numLayers - a.moe.moeLayers : a.numLayers;
}

/**
 * Expected number of distinct routed experts that `tokens` tokens touch when each picks
 * `topK` of `numExperts` uniformly: E·(1 − (1 − k/E)^tokens). Ours (BLIS v0.6.1 has no MoE
 * rule; BLIS main uses the same occupancy form). 0 tokens touch 0 experts.
 */
export function expectedActiveExperts(moe: MoeArch, tokens: number): number {
  if (tokens <= 0) return 0;
  const e = moe.numExperts;
  return e * (1 - (1 - moe.topK / e) ** tokens);
}

/** Attention projection weights of one layer: Q and O (H·hd × d), K and V (KV·hd × d). */
export function attentionParamsPerLayer(a: ModelArch): number {
  const q = a.numHeads * a.headDim;
  const kv = a.numKVHeads * a.headDim;
  return a.hiddenSize * q * 2 + a.hiddenSize * kv * 2;
}

/** Bytes per weight of the routed experts. */
export function expertWeightBytes(a: ModelArch): number {
  return a.expertWeightBytesPerParam ?? a.weightBytesPerParam;
}

/** Parameters of every routed expert of every MoE layer (0 for a dense model). */
export function routedExpertParams(a: ModelArch): number {
  const m = a.moe;
  return m ? m.moeLayers * m.numExperts * 3 * a.hiddenSize * m.expertIntermediateSize : 0;
}

/** Every parameter of the linear layers (all experts), without embeddings. */
export function linearParams(a: ModelArch): number {
  const d = a.hiddenSize;
  let mlp = denseLayers(a) * 3 * d * a.intermediateSize;
  if (a.moe) {
    const m = a.moe;
    mlp += m.moeLayers * (m.sharedExperts * 3 * d * m.sharedIntermediateSize + d * m.numExperts);
  }
  return a.numLayers * attentionParamsPerLayer(a) + mlp + routedExpertParams(a);
}

/** Embedding table plus LM head (once when tied); kept at 16 bits in quantised checkpoints. */
export function embeddingParams(a: ModelArch): number {
  return a.vocabSize * a.hiddenSize * (a.tieWordEmbeddings ? 1 : 2);
}

/** Bytes of all weights on one GPU at tensor parallelism tp (norms ignored: < 0.01 %). */
export function weightBytesPerGpu(a: ModelArch, tp: number): number {
  // Routed experts at their own width where it differs (MXFP4).
  const experts = a.expertWeightBytesPerParam === undefined ? 0 : routedExpertParams(a);
  const linear = (linearParams(a) - experts) * a.weightBytesPerParam + experts * expertWeightBytes(a);
  return (linear + embeddingParams(a) * a.bytesPerParam) / tp;
}

/**
 * KV-cache bytes per token on one GPU: 2 (K and V) · layers · KV heads · head_dim · bytes,
 * with KV heads split across TP (replicated when TP exceeds them). An MLA latent is cached
 * whole on every GPU.
 */
export function kvBytesPerTokenPerGpu(a: ModelArch, tp: number): number {
  if (a.kvLatentDim !== undefined) return a.numLayers * a.kvLatentDim * a.bytesPerParam;
  const kvHeadsPerGpu = Math.max(1, a.numKVHeads / tp);
  return 2 * a.numLayers * kvHeadsPerGpu * a.headDim * a.bytesPerParam;
}
