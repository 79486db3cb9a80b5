import { describe, expect, it } from 'vitest';
import { InputError } from '../../src/errors.ts';
import { attentionWindow, unmodelledFeatures } from '../../src/latency/arch-features.ts';
import type { LatencyModel, StepRequest } from '../../src/latency/types.ts';
import { guardAttentionWindow } from '../../src/latency/window-guard.ts';

const dense = { architectures: ['LlamaForCausalLM'], model_type: 'llama', hidden_size: 4096 };
const features = (f: Record<string, unknown>) => unmodelledFeatures({ ...dense, ...f });

describe('architecture features the latency models cannot represent', () => {
  it('a dense full-attention transformer has none', () => {
    expect(unmodelledFeatures(dense)).toEqual([]);
    expect(features({ sliding_window: null, use_sliding_window: false })).toEqual([]);
  });

  it('names MLA by its latent rank; the KV cache (the latent) is still representable', () => {
    expect(features({ kv_lora_rank: 512 })).toEqual([
      { feature: 'multi-head latent attention (MLA, kv_lora_rank 512)', changesKvCache: false },
    ]);
    expect(features({ kv_lora_rank: null })).toEqual([]);
  });

  it('names linear attention from layer_types, counting its layers, and Gated DeltaNet from its fields', () => {
    const layer_types = ['linear_attention', 'linear_attention', 'linear_attention', 'full_attention'];
    expect(features({ layer_types })).toEqual([
      { feature: 'linear attention (3 of 4 layers)', changesKvCache: true },
    ]);
    expect(features({ model_type: 'qwen3_next', linear_conv_kernel_dim: 4 })[0]!.feature).toBe(
      'linear attention (Gated DeltaNet)',
    );
  });

  it('names state-space layers from a hybrid pattern or per-layer types', () => {
    for (const f of [{ hybrid_override_pattern: 'M-M*-' }, { layer_types: ['mamba', 'attention'] }]) {
      expect(features(f)).toEqual([{ feature: 'Mamba state-space layers', changesKvCache: true }]);
    }
    expect(features({ hybrid_override_pattern: '*-*-' })).toEqual([]);
  });

  it('lists every feature of a model (MLA with sparse attention); MXFP4 experts are modelled', () => {
    expect(features({ kv_lora_rank: 512, index_topk: 2048 }).map((x) => x.changesKvCache)).toEqual([
      false,
      true,
    ]);
    expect(features({ quantization_config: { quant_method: 'mxfp4' } })).toEqual([]);
    expect(features({ quantization_config: { quant_method: 'fp8' } })).toEqual([]);
  });
});

describe('attention windows', () => {
  it('reads a sliding window unless use_sliding_window is false or no layer slides', () => {
    expect(attentionWindow({ sliding_window: 4096 })).toEqual({
      kind: 'sliding-window attention',
      tokens: 4096,
    });
    expect(attentionWindow({ sliding_window: 131072, use_sliding_window: false })).toBeUndefined();
    expect(attentionWindow({ sliding_window: null })).toBeUndefined();
    expect(attentionWindow({ sliding_window: 128, layer_types: ['full_attention'] })).toBeUndefined();
    expect(
      attentionWindow({ sliding_window: 128, layer_types: ['sliding_attention', 'full_attention'] }),
    ).toEqual({ kind: 'sliding-window attention', tokens: 128, layers: 1 });
  });

  it("reads Llama 4's chunked local attention", () => {
    expect(attentionWindow({ attention_chunk_size: 8192 })).toEqual({
      kind: 'chunked local attention',
      tokens: 8192,
    });
  });

  const layers = (f: Record<string, unknown>) => attentionWindow(f)?.layers;
  it('counts windowed layers from layer_types wherever the config lists them', () => {
    const layer_types = ['sliding_attention', 'full_attention', 'sliding_attention', 'sliding_attention'];
    expect(layers({ model_type: 'gpt_oss', num_hidden_layers: 4, sliding_window: 128, layer_types })).toBe(3);
    const chunked = ['chunked_attention', 'chunked_attention', 'full_attention'];
    expect(layers({ model_type: 'llama4_text', attention_chunk_size: 8192, layer_types: chunked })).toBe(2);
  });

  it("otherwise by the family's rule: Gemma 2 even layers, Gemma 3 five of six, Llama 4 its RoPE layers", () => {
    // Gemma 2: layers 0, 2, 4 of 5 slide (HF/vLLM `not bool(layer_idx % 2)`).
    expect(layers({ model_type: 'gemma2', num_hidden_layers: 5, sliding_window: 4096 })).toBe(3);
    // Gemma 3: every layer but each 6th (default pattern), or the config's pattern.
    expect(layers({ model_type: 'gemma3', num_hidden_layers: 26, sliding_window: 512 })).toBe(26 - 4);
    expect(
      layers({
        model_type: 'gemma3_text',
        num_hidden_layers: 8,
        sliding_window: 512,
        sliding_window_pattern: 4,
      }),
    ).toBe(6);
    // Llama 4: chunked on the RoPE layers, all but every 4th by default, or as no_rope_layers lists.
    expect(layers({ model_type: 'llama4_text', num_hidden_layers: 48, attention_chunk_size: 8192 })).toBe(36);
    expect(
      layers({
        model_type: 'llama4_text',
        num_hidden_layers: 3,
        attention_chunk_size: 8192,
        no_rope_layers: [1, 0, 1],
      }),
    ).toBe(2);
    // Mistral, Mixtral, Phi-3: vLLM's model-level window on every layer.
    expect(layers({ model_type: 'mistral', num_hidden_layers: 32, sliding_window: 4096 })).toBe(32);
  });

  it('leaves the layers unknown where neither the config nor a documented rule says (the guard stays)', () => {
    // Qwen turns its window on only with use_sliding_window true; which layers then is not established.
    expect(
      attentionWindow({ model_type: 'qwen2', num_hidden_layers: 28, sliding_window: 4096 }),
    ).toBeUndefined();
    expect(
      attentionWindow({
        model_type: 'qwen2',
        num_hidden_layers: 28,
        sliding_window: 4096,
        use_sliding_window: true,
      }),
    ).toEqual({ kind: 'sliding-window attention', tokens: 4096 });
    expect(layers({ model_type: 'cohere2', num_hidden_layers: 8, sliding_window: 4096 })).toBeUndefined();
    expect(layers({ model_type: 'gemma2', sliding_window: 4096 })).toBeUndefined();
  });
});

describe('the window guard', () => {
  const inner: LatencyModel = {
    name: 'roofline-v1',
    stepTime: (batch) => 100 * batch.length,
    queueingTime: (n) => n + 1,
    outputTokenProcessingTime: () => 7,
    schedulingProcessingTime: () => 0,
    preemptionProcessingTime: () => 0,
    ttftDecodeSteps: 0.5,
  };
  const guarded = guardAttentionWindow(inner, { kind: 'sliding-window attention', tokens: 512 }, 'org/m');
  const prefill = (s: number, t: number): StepRequest => ({
    progressIndex: s,
    numNewTokens: t,
    inputLen: 1000,
    outputLen: 10,
  });
  const decode = (s: number): StepRequest => ({
    progressIndex: s,
    numNewTokens: 1,
    inputLen: 100,
    outputLen: 900,
  });

  it('passes steps whose attention stays inside the window through unchanged', () => {
    expect(guarded.stepTime([prefill(0, 512), decode(511)])).toBe(200);
    expect(guarded.queueingTime(5)).toBe(6);
    expect(guarded.outputTokenProcessingTime()).toBe(7);
    expect(guarded.ttftDecodeSteps).toBe(0.5);
    expect(guarded.name).toBe('roofline-v1');
  });

  it('stops at the first step that reaches past it, naming the model, the window and the length', () => {
    for (const r of [prefill(256, 257), decode(512)]) {
      expect(() => guarded.stepTime([r])).toThrow(InputError);
      expect(() => guarded.stepTime([r])).toThrow(
        /org\/m: sliding-window attention \(512 tokens\) is not modelled by roofline-v1 past the window on layers the config does not name: a request reached 513 tokens/,
      );
    }
  });
});
