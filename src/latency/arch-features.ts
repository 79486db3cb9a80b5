/**
 * Architecture features of a HuggingFace config.json that the step-time formulas of
 * roofline-v1, roofline-v2 and trained-physics do not represent, so that such a model is
 * refused by name instead of simulated as the dense full-attention transformer those
 * formulas assume (docs/latency-models.md, "What the latency models cannot represent").
 * Pure: reads the merged config fields (text_config over the top level).
 */
export type Fields = Readonly<Record<string, unknown>>;

export const ARCH_MODELS = 'roofline-v1, roofline-v2 or trained-physics';

export interface UnmodelledFeature {
  /** What a user reads, e.g. "multi-head latent attention (MLA, kv_lora_rank 512)". */
  readonly feature: string;
  /**
   * The feature changes what the KV cache holds per token (layers without a KV cache, an
   * indexer cache), so KV blocks cannot be derived from GPU memory either.
   */
  readonly changesKvCache: boolean;
}

/** Sliding-window or chunked local attention: exact only while a sequence fits in it. */
export interface AttentionWindow {
  readonly kind: 'sliding-window attention' | 'chunked local attention';
  /** Tokens a windowed layer attends to (sliding window) or its chunk length. */
  readonly tokens: number;
}

const positive = (v: unknown): v is number => typeof v === 'number' && Number.isFinite(v) && v > 0;
const list = (v: unknown): unknown[] => (Array.isArray(v) ? v : []);

/** The layers `layer_types` marks with a kind matching `re` (HF's per-layer attention list). */
function layersOf(f: Fields, re: RegExp): number {
  return list(f.layer_types).filter((t) => typeof t === 'string' && re.test(t)).length;
}

export function unmodelledFeatures(f: Fields): UnmodelledFeature[] {
  const out: UnmodelledFeature[] = [];
  const modelType = typeof f.model_type === 'string' ? f.model_type : '';
  const linear = layersOf(f, /linear/);
  if (linear > 0 || f.linear_num_value_heads !== undefined || /qwen3_next/.test(modelType)) {
    const kind =
      f.linear_conv_kernel_dim !== undefined || /qwen3_(next|5)/.test(modelType) ? 'Gated DeltaNet' : '';
    const where = linear > 0 ? `${linear} of ${list(f.layer_types).length} layers` : '';
    const detail = [kind, where].filter(Boolean).join(', ');
    out.push({ feature: `linear attention${detail ? ` (${detail})` : ''}`, changesKvCache: true });
  }
  const mamba = layersOf(f, /mamba|ssm/);
  const pattern = typeof f.hybrid_override_pattern === 'string' ? f.hybrid_override_pattern : '';
  if (mamba > 0 || pattern.includes('M') || f.mamba_d_state !== undefined || f.ssm_state_size !== undefined) {
    out.push({ feature: 'Mamba state-space layers', changesKvCache: true });
  }
  if (positive(f.kv_lora_rank)) {
    out.push({
      feature: `multi-head latent attention (MLA, kv_lora_rank ${f.kv_lora_rank})`,
      changesKvCache: false,
    });
  }
  if (positive(f.index_topk)) {
    out.push({
      feature: `DeepSeek sparse attention (an indexer keeps the top ${f.index_topk} tokens)`,
      changesKvCache: true,
    });
  }
  const q = f.quantization_config;
  const method = typeof q === 'object' && q !== null ? (q as Fields).quant_method : undefined;
  if (method === 'mxfp4') {
    out.push({
      feature: 'MXFP4 expert weights beside 16-bit attention weights (quant_method mxfp4)',
      changesKvCache: false,
    });
  }
  return out;
}

/**
 * The attention window of a config, if any layer has one. HF spells it `sliding_window`
 * (off when `use_sliding_window` is false, as vLLM reads Qwen2) or, for Llama 4's chunked
 * local attention, `attention_chunk_size`. A window changes nothing while every sequence
 * fits in it, so the latency models run such a model and stop at the first step that
 * passes it (latency/window-guard.ts).
 */
export function attentionWindow(f: Fields): AttentionWindow | undefined {
  if (positive(f.attention_chunk_size)) {
    return { kind: 'chunked local attention', tokens: Math.trunc(f.attention_chunk_size) };
  }
  const types = list(f.layer_types);
  const slidingLayers = types.length === 0 || layersOf(f, /sliding/) > 0;
  if (positive(f.sliding_window) && f.use_sliding_window !== false && slidingLayers) {
    return { kind: 'sliding-window attention', tokens: Math.trunc(f.sliding_window) };
  }
  return undefined;
}

/** The refusal every consumer of an unmodelled config raises. */
export function unmodelledMessage(
  source: string,
  name: string,
  features: readonly UnmodelledFeature[],
): string {
  const what = features.map((x) => x.feature).join('; ');
  return `${source}: ${name}: ${what} ${features.length > 1 ? 'are' : 'is'} not modelled by ${ARCH_MODELS}`;
}
