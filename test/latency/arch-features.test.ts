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

  it('lists every feature of a model: MLA with sparse attention, MXFP4 weights', () => {
    expect(features({ kv_lora_rank: 512, index_topk: 2048 }).map((x) => x.changesKvCache)).toEqual([
      false,
      true,
    ]);
    expect(features({ quantization_config: { quant_method: 'mxfp4' } })[0]!.feature).toMatch(/MXFP4/);
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
    ).toEqual({ kind: 'sliding-window attention', tokens: 128 });
  });

  it("reads Llama 4's chunked local attention", () => {
    expect(attentionWindow({ attention_chunk_size: 8192 })).toEqual({
      kind: 'chunked local attention',
      tokens: 8192,
    });
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
        /org\/m: sliding-window attention \(512 tokens\) is not modelled by roofline-v1 past the window: a request reached 513 tokens/,
      );
    }
  });
});
