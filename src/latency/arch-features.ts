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

/** Sliding-window or chunked local attention (latency/attention-window.ts costs it). */
export interface AttentionWindow {
  readonly kind: 'sliding-window attention' | 'chunked local attention';
  /** Tokens a windowed layer attends to (sliding window) or its chunk length. */
  readonly tokens: number;
  /**
   * How many of the model's layers use the window, by the config's `layer_types` or the
   * family's documented rule (windowedLayers()); absent where neither establishes it, and
   * the latency models then stop at the first step past the window (window-guard.ts).
   */
  readonly layers?: number;
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
  return out;
}

/**
 * The attention window of a config, if any layer has one. HF spells it `sliding_window`
 * (off when `use_sliding_window` is false, as vLLM reads Qwen2, and for the Qwen families
 * unless it is true) or, for Llama 4's chunked
 * local attention, `attention_chunk_size`.
 */
export function attentionWindow(f: Fields): AttentionWindow | undefined {
  if (positive(f.attention_chunk_size)) {
    return withLayers({ kind: 'chunked local attention', tokens: Math.trunc(f.attention_chunk_size) }, f);
  }
  const types = list(f.layer_types);
  const slidingLayers = types.length === 0 || layersOf(f, /sliding/) > 0;
  // The Qwen configs default `use_sliding_window` to false (transformers' Qwen2Config, Qwen3Config).
  const qwen = typeof f.model_type === 'string' && f.model_type.startsWith('qwen');
  const on = qwen ? f.use_sliding_window === true : f.use_sliding_window !== false;
  if (positive(f.sliding_window) && on && slidingLayers) {
    return withLayers({ kind: 'sliding-window attention', tokens: Math.trunc(f.sliding_window) }, f);
  }
  return undefined;
}

function withLayers(w: AttentionWindow, f: Fields): AttentionWindow {
  const layers = windowedLayers(w, f);
  return layers === undefined ? w : { ...w, layers };
}

/** Layers i in [0, L) for which `windowed(i)` holds. */
function countLayers(f: Fields, windowed: (i: number) => boolean): number | undefined {
  const L = f.num_hidden_layers;
  if (!positive(L)) return undefined;
  let n = 0;
  for (let i = 0; i < Math.trunc(L); i++) if (windowed(i)) n++;
  return n;
}

/**
 * Which layers use the window, as Hugging Face and vLLM build the model (sources in
 * docs/latency-models.md, "Windowed attention"): `layer_types` where the config lists it;
 * otherwise the family's rule: Gemma 2 slides on even layers; Gemma 3 on every layer but
 * each `sliding_window_pattern`-th (default 6); Llama 4 chunks the RoPE layers
 * (`no_rope_layers` 1, by default all but every `no_rope_layer_interval`-th, default 4);
 * Mistral, Mixtral and Phi-3 apply vLLM's model-level window to every layer. Any other
 * family: undefined (not established).
 */
function windowedLayers(w: AttentionWindow, f: Fields): number | undefined {
  const types = list(f.layer_types);
  if (types.length > 0) return layersOf(f, w.kind === 'chunked local attention' ? /chunk/ : /sliding/);
  const modelType = typeof f.model_type === 'string' ? f.model_type : '';
  if (w.kind === 'chunked local attention') {
    if (!/^llama4/.test(modelType)) return undefined;
    const rope = list(f.no_rope_layers);
    if (rope.length > 0) return rope.filter((x) => x === 1 || x === true).length;
    const every = positive(f.no_rope_layer_interval) ? Math.trunc(f.no_rope_layer_interval) : 4;
    return countLayers(f, (i) => (i + 1) % every !== 0);
  }
  if (modelType === 'gemma2') return countLayers(f, (i) => i % 2 === 0);
  if (/^gemma3(_text)?$/.test(modelType)) {
    const every = positive(f.sliding_window_pattern) ? Math.trunc(f.sliding_window_pattern) : 6;
    return countLayers(f, (i) => (i + 1) % every !== 0);
  }
  if (/^(mistral|mixtral|phi3)$/.test(modelType)) return countLayers(f, () => true);
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
