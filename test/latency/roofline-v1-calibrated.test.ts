import { describe, expect, it } from 'vitest';
import { CALIBRATED_DEFAULTS, RooflineV1CalibratedModel } from '../../src/latency/roofline-v1-calibrated.ts';
import { decodes, HAND_ARCH, prefill } from '../support/roofline.ts';

/** Calibrated roofline-v1 on HAND_ARCH: 1000 TFLOP/s, 1 TB/s at full efficiency, MFU 0.5, no overheads. */
const model = (mixedStepJoint: number) =>
  new RooflineV1CalibratedModel(
    HAND_ARCH,
    {
      TFlopsPeak: 1000,
      BwPeakTBs: 1,
      BwEffConstant: 1,
      mfuPrefill: 0.5,
      mfuDecode: 0.5,
      TOverheadMicros: 0,
      perLayerOverhead: 0,
      allReduceLatency: 0,
    },
    { ...CALIBRATED_DEFAULTS, mixedStepJoint },
    1,
  );

/** 1000 prompt tokens from scratch and 24 decodes at 1000 tokens of context. */
const mixed = () => [prefill(0, 1000), ...decodes(24, 1000)];

describe('calibrated roofline-v1: mixedStepJoint (ours)', () => {
  it('mixes the phases as the branch does when 0: 0.75·prefill + 0.25·decode, 93.88 us', () => {
    // Prefill: GEMMs 2^25·1000 / 5e14 = 67.11 us + attention 2 061 936 000 / 1e14 = 20.62 us
    // = 87.73 us (its memory, 39.39 us, is lower). Decode: memory (2^25 weight bytes + 24 ×
    // (1536 + 3 276 800 + 4096)) / 1e12 = 112.33 us. 1000 prefill tokens > 4 × 24 decodes.
    expect(model(0).stepTime(mixed())).toBe(94);
  });

  it('prices a mixed step as one pass over all its tokens when 1: the weights once, every byte', () => {
    // Memory: 2^25 + prefill (2048·1000·0.85 + 4096·1000) + decodes 78 778 368 = 118 169 600 B
    // = 118.17 us, above the pass's compute 2^25·1024 / 5e14 + 20.62 + 0.99 = 90.33 us.
    expect(model(1).stepTime(mixed())).toBe(118);
    // Halfway: (93.879 + 118.170) / 2 = 106.02 us.
    expect(model(0.5).stepTime(mixed())).toBe(106);
  });

  it('leaves steps of one phase alone', () => {
    for (const batch of [decodes(24, 1000), [prefill(0, 1000)]])
      expect(model(1).stepTime(batch)).toBe(model(0).stepTime(batch));
  });
});
