import { describe, expect, it } from 'vitest';
import { InputError } from '../../src/errors.ts';
import { TrainedPhysicsModel } from '../../src/latency/trained-physics.ts';
import { trainedPhysicsFeatures, weightBytesPerParam } from '../../src/latency/trained-physics-features.ts';

/**
 * Hand-derived cases on a tiny config (not in shared/): L 2, d 8, 2 heads, 1 KV head (head dim
 * 4, d_kv 4), FFN 16, bf16, 1 TFLOP/s and 1 TB/s (1e6 per µs), so each term is an exact count
 * of FLOPs or bytes divided by 1e6.
 */
const tiny = {
  num_hidden_layers: 2,
  hidden_size: 8,
  num_attention_heads: 2,
  num_key_value_heads: 1,
  intermediate_size: 16,
  torch_dtype: 'bfloat16',
};
const hw = { TFlopsPeak: 1, TFlopsFP8: 2, BwPeakTBs: 1 };
const feat = (cfg: object = tiny, tp = 1, name = 'tiny') => trainedPhysicsFeatures(cfg, 'cfg', name, tp);
const prefill = (t: number, s = t) => ({ inputLen: s, progressIndex: 0, numNewTokens: t, outputLen: 5 });
const decode = (ctx: number) => ({ inputLen: 10, progressIndex: ctx, numNewTokens: 1, outputLen: 5 });
const beta7 = [1e6, 1e6, 1e6, 1e6, 10, 100, 1000];
const alpha = [0, 0, 0];

describe('trained-physics basis terms by hand', () => {
  const m = new TrainedPhysicsModel(feat(), hw, 1, beta7, alpha);
  it('prefill of 10 tokens (full prompt 10)', () => {
    // proj 2·2·10·8·(16+8) = 7680; attention 2·4·2·10·(10+5)·4 = 9600; MLP 2·10·6·8·16 = 15360.
    const t = m.terms([prefill(10)]);
    expect(t.T_pf_compute_us).toBeCloseTo(32640e-6, 12);
    expect(t.T_pf_kv_us).toBeCloseTo(320e-6, 12); // 2·2·4·10·2 bytes
    expect(t.T_weight_us).toBeCloseTo(2304e-6, 12); // (2·192 + 2·3·8·16)·2 bytes
    expect(t.T_dc_compute_us + t.T_dc_kv_us + t.T_tp_us).toBe(0);
    // 7 betas: β1a·max(compute, kv) + β3·weight + β5·L + β6·B + β7.
    expect(m.stepTime([prefill(10)])).toBe(32640 + 2304 + 20 + 100 + 1000);
  });
  it('prefill attention reads the full prompt length, not progress', () => {
    const late = { inputLen: 30, progressIndex: 20, numNewTokens: 10, outputLen: 5 };
    expect(m.terms([late])).toEqual(m.terms([prefill(10, 30)]));
  });
  it('a decode counts one token with context = progress', () => {
    const t = m.terms([{ ...decode(20), numNewTokens: 0 }]);
    // 2·2·1·192 + 2·4·2·20·4 + 2·1·6·8·16 = 768 + 1280 + 1536; KV 2·2·4·2·(20+1) = 672.
    expect(t.T_dc_compute_us).toBeCloseTo(3584e-6, 12);
    expect(t.T_dc_kv_us).toBeCloseTo(672e-6, 12);
    expect(m.stepTime([decode(20)])).toBe(3584 + 2304 + 20 + 100 + 1000);
  });
  it('beta modes: 9 splits prefill, 10 splits both; the split slots are the last two', () => {
    const b9 = [...beta7, 0, 1e6];
    const b10 = [...beta7, 0, 1e6, 1e6];
    const batch = [prefill(10), decode(20)];
    const base = 2304 + 20 + 200 + 1000;
    expect(new TrainedPhysicsModel(feat(), hw, 1, beta7, alpha).stepTime(batch)).toBe(base + 32640 + 3584);
    expect(new TrainedPhysicsModel(feat(), hw, 1, b9, alpha).stepTime(batch)).toBe(base + 32640 + 320 + 3584);
    expect(new TrainedPhysicsModel(feat(), hw, 1, b10, alpha).stepTime(batch)).toBe(
      base + 32640 + 320 + 3584 + 672,
    );
  });
  it('truncates toward zero, at least 1; an empty batch is 1 µs', () => {
    const small = new TrainedPhysicsModel(feat(), hw, 1, [0, 0, 0, 0, 0, 0, 0.9], alpha);
    expect(small.stepTime([decode(3)])).toBe(1);
    expect(
      new TrainedPhysicsModel(feat(), hw, 1, [0, 0, 0, 0, 0, 0, 7.99], alpha).stepTime([decode(3)]),
    ).toBe(7);
    expect(m.stepTime([])).toBe(1);
  });
  it('breakdown: contributions per beta mode add up to the step time, basis values are raw', () => {
    const batch = [prefill(10), decode(20)];
    const sum = (c: Readonly<Record<string, number>>) => Object.values(c).reduce((a, v) => a + v, 0);
    // 7 betas: one prefill and one decode part, β × max(compute, KV).
    const b7 = m.breakdown(batch);
    const want = { prefill: 32640, decode: 3584, weights: 2304, tp_all_reduce: 0, layers: 20, requests: 200 };
    expect(b7.contributions_us).toEqual(
      Object.fromEntries(
        Object.entries({ ...want, step: 1000, rounding: 0 }).map(([k, v]) => [k, expect.closeTo(v, 6)]),
      ),
    );
    expect(Object.keys(b7.contributions_us)).toEqual([...Object.keys(want), 'step', 'rounding']);
    expect(b7.basis_us!.T_pf_compute_us).toBeCloseTo(32640e-6, 12);
    expect(b7.counts).toEqual({ requests: 2, prefill_tokens: 10, decode_requests: 1, decode_context: 20 });
    // 10 betas: four parts; with fractional betas the sum still lands on the integer step time.
    const b10 = new TrainedPhysicsModel(
      feat(),
      hw,
      1,
      [0.37, 0.11, 1.3, 0.7, 3.3, 4.1, 126.2, 0, 0.9, 1.7],
      alpha,
    );
    const c = b10.breakdown(batch).contributions_us;
    expect(Object.keys(c)).toEqual([
      'prefill_compute',
      'prefill_kv',
      'decode_compute',
      'decode_kv',
      'weights',
      'tp_all_reduce',
      'layers',
      'requests',
      'step',
      'rounding',
    ]);
    expect(c.prefill_kv).toBeCloseTo(0.9 * 320e-6, 12);
    for (const n of [1, 3, 17, 250]) {
      const many = Array.from({ length: n }, (_, i) =>
        i % 3 === 0 ? prefill(7 + i, 40 + i) : decode(5 + 13 * i),
      );
      const s = b10.stepTime(many);
      expect(sum(b10.breakdown(many).contributions_us)).toBe(s);
      expect(s).toBe(Math.trunc(sum({ ...b10.breakdown(many).contributions_us, rounding: 0 })));
    }
    // Below 1 µs the step is 1: rounding makes up the difference; an empty batch is all rounding.
    const small = new TrainedPhysicsModel(feat(), hw, 1, [0, 0, 0, 0, 0, 0, 0.75], alpha);
    expect(small.breakdown([decode(3)]).contributions_us.rounding).toBe(0.25);
    expect(sum(m.breakdown([]).contributions_us)).toBe(1);
  });
  it('a request neither prefill nor decode counts only in B', () => {
    const idle = { inputLen: 10, progressIndex: 10, numNewTokens: 0, outputLen: 0 };
    expect(m.stepTime([idle])).toBe(2304 + 20 + 100 + 1000);
  });
});

describe('trained-physics features by hand', () => {
  it('head dim is hidden/heads (integer), the config head_dim ignored (Mistral-Nemo)', () => {
    const f = feat({
      ...tiny,
      hidden_size: 5120,
      num_attention_heads: 32,
      num_key_value_heads: 8,
      head_dim: 128,
    });
    expect(f.headDim).toBe(160);
    expect(f.dKV).toBe(1280);
    expect(feat({ ...tiny, hidden_size: 10, num_attention_heads: 3, num_key_value_heads: 3 }).headDim).toBe(
      3,
    );
  });
  it('interleaved MoE: experts touched grow with tokens and saturate; β8 per MoE layer', () => {
    const moe = {
      ...tiny,
      num_hidden_layers: 4,
      num_local_experts: 4,
      num_experts_per_tok: 2,
      interleave_moe_layer_step: 1,
    };
    const f = feat(moe);
    expect([f.numMoELayers, f.numDenseLayers, f.interleavedMoE, f.kEff]).toEqual([2, 2, true, 2]);
    const m = new TrainedPhysicsModel(f, hw, 1, [0, 0, 1e6, 0, 0, 0, 0, 0], alpha);
    const expert = 2 * 3 * 8 * 16 * 2; // n_MoE · 3·d·dFF · bpp per expert touched
    const w = (n: number) => m.terms(Array.from({ length: n }, () => decode(5))).T_weight_us * 1e6;
    expect(w(2) - w(1)).toBeCloseTo(2 * expert, 6); // 2 → 4 experts
    expect(w(5) - w(2)).toBeCloseTo(0, 6); // saturated at E = 4
    const with8 = new TrainedPhysicsModel(f, hw, 1, [0, 0, 0, 0, 0, 0, 0, 100], alpha);
    expect(with8.stepTime([decode(5)])).toBe(200);
    expect(with8.breakdown([decode(5)]).contributions_us.moe_layers).toBe(200);
    // Mixtral-style (no interleave): all layers MoE, β8 off.
    const all = feat({ ...moe, interleave_moe_layer_step: 0 });
    expect([all.numMoELayers, all.interleavedMoE]).toEqual([4, false]);
    expect(new TrainedPhysicsModel(all, hw, 1, [0, 0, 0, 0, 0, 0, 0, 100], alpha).stepTime([decode(5)])).toBe(
      1,
    );
  });
  it('expert count falls back on n_routed_experts / num_experts', () => {
    expect(feat({ ...tiny, n_routed_experts: 64, num_experts_per_tok: 6 }).numExperts).toBe(64);
    expect(feat({ ...tiny, num_local_experts: 1, num_experts: 8, num_experts_per_tok: 2 }).numExperts).toBe(
      8,
    );
  });
  it('TP all-reduce: two per dense layer, d not divided by TP', () => {
    const f = feat({ ...tiny, num_key_value_heads: 2 }, 2);
    const m = new TrainedPhysicsModel(f, hw, 2, beta7, alpha);
    // (2·2 + 0)·3 tokens·8·2 bytes·2·(1/2) = 192 bytes.
    expect(m.terms([prefill(3)]).T_tp_us).toBeCloseTo(192e-6, 12);
  });
  it('FP8 weights (bpp exactly 1) use the FP8 peak for all compute', () => {
    const fp8 = feat({ ...tiny, quantization_config: { quant_method: 'fp8' } });
    expect(fp8.weightBPP).toBe(1);
    const m = new TrainedPhysicsModel(fp8, hw, 1, beta7, alpha);
    expect(m.terms([prefill(10)]).T_pf_compute_us).toBeCloseTo(32640e-6 / 2, 12);
    expect(
      new TrainedPhysicsModel(fp8, { ...hw, TFlopsFP8: 0 }, 1, beta7, alpha).terms([prefill(10)])
        .T_pf_compute_us,
    ).toBeCloseTo(32640e-6, 12);
  });
  it('weight width: quantization bits, compressed-tensors groups, name tokens, dtype', () => {
    expect(weightBytesPerParam({ torch_dtype: 'bfloat16', quantization_config: { bits: 4 } }, 'x')).toBe(0.5);
    const ct = {
      quant_method: 'compressed-tensors',
      config_groups: { b: { weights: { num_bits: 4 } }, a: { weights: { num_bits: 8 } } },
    };
    expect(weightBytesPerParam({ quantization_config: ct }, 'x')).toBe(1);
    expect(weightBytesPerParam({ torch_dtype: 'bfloat16' }, 'org/Model-W4A16')).toBe(0.5);
    expect(weightBytesPerParam({ torch_dtype: 'bfloat16' }, 'org/Model-FP8-dynamic')).toBe(1);
    expect(weightBytesPerParam({ dtype: 'float32' }, 'x')).toBe(4);
    expect(weightBytesPerParam({}, 'x')).toBe(0);
  });
  it.each([
    [{ ...tiny, num_attention_heads: 3 }, 2, 'divisible by TP'],
    [{ ...tiny, intermediate_size: 0 }, 1, "'intermediate_size'"],
    [{ ...tiny, num_local_experts: 8 }, 1, "'num_experts_per_tok'"],
    [{ ...tiny, hidden_size: 'x' }, 1, "'hidden_size' must be a number"],
  ])('rejects %j at TP %i', (cfg, tp, msg) => {
    expect(() => feat(cfg, tp)).toThrow(InputError);
    expect(() => feat(cfg, tp)).toThrow(msg);
  });
  it.each([
    [[1, 2, 3, 4, 5, 6], alpha, 'at least 7 beta'],
    [beta7, [1, 2], 'at least 3 alpha'],
    [[...beta7.slice(0, 6), -1], alpha, 'beta[6]'],
    [beta7, [0, Number.NaN, 0], 'alpha[1]'],
  ])('rejects coefficients %j / %j', (b, a, msg) => {
    expect(() => new TrainedPhysicsModel(feat(), hw, 1, b, a)).toThrow(msg);
  });
  it('alphas are truncated separately', () => {
    const m = new TrainedPhysicsModel(feat(), hw, 1, beta7, [15563.9, 777.3455, 45.907545]);
    expect([m.queueingTime(99999), m.postDecodeOverhead(), m.outputTokenProcessingTime()]).toEqual([
      15563, 777, 45,
    ]);
  });
});
