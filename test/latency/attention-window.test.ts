import { describe, expect, it } from 'vitest';
import type { ModelArch } from '../../src/latency/arch.ts';
import type { AttentionWindow } from '../../src/latency/arch-features.ts';
import { WindowedAttention } from '../../src/latency/attention-window.ts';
import { RooflineV1Model, type RooflineV1Params } from '../../src/latency/roofline-v1.ts';
import { TrainedPhysicsModel } from '../../src/latency/trained-physics.ts';
import type { TrainedPhysicsFeatures } from '../../src/latency/trained-physics-features.ts';
import { decode, prefill } from '../support/roofline.ts';

/**
 * Windowed attention on a 2-layer toy model, one windowed layer and one full, by hand.
 * Window 4. BLIS counts the token at position p as attending to the p positions before it.
 * A prompt chunk of 5 tokens from position 2 covers positions 2..6:
 *   full layer           2 + 3 + 4 + 5 + 6 = 20 keys
 *   sliding window 4     2 + 3 + 4 + 4 + 4 = 17
 *   chunked, chunk 4     2 + 3 + 0 + 1 + 2 =  8   (position 4 starts a new chunk)
 * A decode token at context 10 reads 10 cached positions in the full layer, 4 in the sliding
 * layer (min(10, 4)); at context 9 the chunked layer reads 9 mod 4 = 1.
 */
const SLIDING: AttentionWindow = { kind: 'sliding-window attention', tokens: 4, layers: 1 };
const CHUNKED: AttentionWindow = { kind: 'chunked local attention', tokens: 4, layers: 1 };

describe('windowed attention sums', () => {
  it('counts the keys each position attends to', () => {
    const s = new WindowedAttention(SLIDING, 1, 2);
    const c = new WindowedAttention(CHUNKED, 1, 2);
    expect(s.attendedSum(2, 5)).toBe(17);
    expect(c.attendedSum(2, 5)).toBe(8);
    expect(s.attendedSum(0, 4)).toBe(0 + 1 + 2 + 3);
    expect(s.attendedBefore(10)).toBe(4);
    expect(c.attendedBefore(9)).toBe(1);
    // Layer-averaged: half the layers full, half windowed.
    expect(s.share(2, 5)).toBeCloseTo((20 + 17) / 40, 15);
    expect(s.readKeys(10)).toBe((10 + 4) / 2);
    expect(c.readKeys(9)).toBe((9 + 1) / 2);
    // Inside the window nothing changes.
    expect(s.share(0, 4)).toBe(1);
    expect(s.readKeys(3)).toBe(3);
  });

  it('agrees with a position-by-position count on long ranges', () => {
    for (const w of [SLIDING, CHUNKED, { ...SLIDING, tokens: 128 }, { ...CHUNKED, tokens: 100 }]) {
      const m = new WindowedAttention(w, 1, 1);
      for (const [s, t] of [
        [0, 1],
        [0, 300],
        [127, 2],
        [99, 203],
        [1000, 513],
      ] as const) {
        let sum = 0;
        for (let p = s; p < s + t; p++) sum += m.attendedBefore(p);
        expect(m.attendedSum(s, t), `${w.kind} ${w.tokens} ${s}+${t}`).toBe(sum);
      }
    }
  });
});

/** d 64, 4 heads of 16, 4 KV heads, MLP 128, 16-bit. */
const toy = (window?: AttentionWindow): ModelArch => ({
  name: 'toy',
  architecture: 'LlamaForCausalLM',
  numLayers: 2,
  hiddenSize: 64,
  numHeads: 4,
  numKVHeads: 4,
  headDim: 16,
  headDimDiffers: false,
  intermediateSize: 128,
  vocabSize: 100,
  tieWordEmbeddings: false,
  bytesPerParam: 2,
  weightBytesPerParam: 2,
  fp8Weights: false,
  ...(window && { attentionWindow: window }),
});

/**
 * 1e6 FLOP/s at MFU 1 (1 µs per FLOP), the vector peak a tenth of it (10 µs per SRAM op),
 * bandwidth so high that memory never binds, no overheads: a step costs, in µs,
 * linear FLOPs + attention FLOPs + 10 · SRAM ops.
 */
const HW: RooflineV1Params = {
  TFlopsPeak: 1e-6,
  BwPeakTBs: 1e6,
  BwEffConstant: 1,
  TOverheadMicros: 0,
  perLayerOverhead: 0,
  mfuPrefill: 1,
  mfuDecode: 1,
  allReduceLatency: 0,
};

describe('roofline-v1 on windowed layers, by hand', () => {
  // Linear FLOPs per token: projections 2·(2·(64·64 + 2·64·64) + 2·64·64) = 65536, MLP
  // 2·2·3·64·128 = 98304: 163840. Attention 4·H·dh = 256 FLOPs per key per layer; SRAM
  // 5·H = 20 per key per layer plus 2·d = 128 per token per layer.
  const lin = 163840;
  const step = (w: AttentionWindow | undefined, r: Parameters<RooflineV1Model['stepTime']>[0]) =>
    new RooflineV1Model(toy(w), HW, 1).stepTime(r);

  it('a prompt chunk crossing the sliding window: 20 + 17 keys', () => {
    const sram = 20 * (20 + 17) + 2 * 5 * 128;
    expect(step(SLIDING, [prefill(2, 5)])).toBe(5 * lin + 256 * (20 + 17) + 10 * sram);
    // Without the window both layers attend 20 keys.
    expect(step(undefined, [prefill(2, 5)])).toBe(5 * lin + 256 * 40 + 10 * (20 * 40 + 1280));
  });

  it('a decode token past the sliding window: 10 + 4 keys read', () => {
    const sram = 20 * (10 + 4) + 2 * 128;
    expect(step(SLIDING, [decode(10)])).toBe(lin + 256 * (10 + 4) + 10 * sram);
  });

  it('chunked local attention crossing a chunk boundary: 20 + 8 keys, and 9 + 1 at decode', () => {
    expect(step(CHUNKED, [prefill(2, 5)])).toBe(5 * lin + 256 * (20 + 8) + 10 * (20 * 28 + 1280));
    expect(step(CHUNKED, [decode(9)])).toBe(lin + 256 * (9 + 1) + 10 * (20 * 10 + 256));
  });

  it('inside the window a windowed model costs exactly what the full-attention model does', () => {
    for (const r of [prefill(0, 4), decode(3), prefill(1, 3)]) {
      expect(step(SLIDING, [r])).toBe(step(undefined, [r]));
      expect(step(CHUNKED, [r])).toBe(step(undefined, [r]));
    }
  });
});

describe('trained-physics on windowed layers, by hand', () => {
  const features = (w?: AttentionWindow): TrainedPhysicsFeatures => ({
    numLayers: 2,
    hiddenDim: 64,
    numHeads: 4,
    numKVHeads: 4,
    headDim: 16,
    dKV: 64,
    dFFDense: 128,
    dFFMoE: 128,
    numExperts: 0,
    kEff: 1,
    numMoELayers: 0,
    numDenseLayers: 2,
    interleavedMoE: false,
    weightBPP: 2,
    expertWeightBPP: 2,
    ...(w && { attentionWindow: w }),
  });
  // 1 FLOP and 1 byte per µs.
  const terms = (w: AttentionWindow | undefined, r: Parameters<TrainedPhysicsModel['terms']>[0]) =>
    new TrainedPhysicsModel(
      features(w),
      { TFlopsPeak: 1e-6, BwPeakTBs: 1e-6 },
      1,
      Array(10).fill(1),
      [0, 0, 0],
    ).terms(r);

  it("prefill: BLIS's t·(prompt + t/2) keys, the windowed layer's share 17/20", () => {
    // proj 64·(2·64 + 2·64) = 16384: 2·2·5·16384 = 327680; FFN 5·2·6·64·128 = 491520;
    // attention 2·4·4·16 = 512 per key over 5·(7 + 2.5) = 47.5 keys, times (1 + 17/20)/2.
    const attn = 512 * 47.5 * ((1 + 17 / 20) / 2);
    expect(terms(SLIDING, [prefill(2, 5)]).T_pf_compute_us).toBeCloseTo(327680 + 491520 + attn, 9);
    expect(terms(undefined, [prefill(2, 5)]).T_pf_compute_us).toBe(327680 + 491520 + 512 * 47.5);
  });

  it('decode past the window: 7 cached positions per layer on average, for compute and KV', () => {
    const t = terms(SLIDING, [decode(10)]);
    // 2·2·16384 + 2·4·4·16·7 + 2·6·64·128
    expect(t.T_dc_compute_us).toBe(65536 + 512 * 7 + 98304);
    // 2 layers · 2 (K, V) · 64 · 2 bytes · (7 read + 1 written)
    expect(t.T_dc_kv_us).toBe(2 * 2 * 64 * 2 * 8);
    expect(terms(undefined, [decode(10)]).T_dc_kv_us).toBe(2 * 2 * 64 * 2 * 11);
  });
});
