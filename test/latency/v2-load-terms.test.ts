import { describe, expect, it } from 'vitest';
import { RooflineV2Model } from '../../src/latency/roofline-v2.ts';
import { MfuDatabase } from '../../src/mfu/database.ts';
import type { BenchData } from '../../src/mfu/tables.ts';
import { decodes, HAND_ARCH, prefill } from '../support/roofline.ts';

/**
 * A hand-computed case (not in shared/): the one-layer model of HAND_ARCH; flat tables (GEMM
 * MFU 0.5, prefill attention 0.5, decode attention 0.01) on a GPU of 1000 TFLOP/s and 1 TB/s.
 * Every GEMM of the layer has K·N summing to 2^24.
 */
const arch = HAND_ARCH;
const flat = (pairs: [number, number][]) =>
  pairs.flatMap(([k, n]) => [1, 65536].map((m) => ({ m, k, n, mfu: 0.5 })));
const data: BenchData = {
  gemm: {
    source: 'hand-made',
    points: flat([
      [1024, 1024],
      [1024, 4096],
      [4096, 1024],
    ]),
  },
  prefill: new Map([
    ['8-8-128', { source: 'hand-made', points: [512, 65536].map((seqLen) => ({ seqLen, mfu: 0.5 })) }],
  ]),
  decode: new Map([
    [
      '8-8-128',
      new Map([
        [
          1,
          {
            source: 'hand-made',
            points: [1, 512].flatMap((batch) => [1, 131072].map((kvLen) => ({ batch, kvLen, mfu: 0.01 }))),
          },
        ],
      ]),
    ],
  ]),
};
const db = new MfuDatabase(data, { label: 'hand-made' });
const model = (extra: object) =>
  new RooflineV2Model(arch, { TFlopsPeak: 1000, BwPeakTBs: 1, ...extra }, 1, db);

/** 1000 prompt tokens from scratch and 24 decodes at 1000 tokens of context. */
const mixed = () => [prefill(0, 1000), ...decodes(24, 1000)];

describe('roofline-v2 under load: mixedStepJoint (ours)', () => {
  it('take BLIS\u2019s max of phases when absent: the decode memory term, 112.33 us', () => {
    // Dm = weights 2·2^24 = 33 554 432 B + 24 decodes × (1024·2·0.75 + 4096·1000·0.8 + 4096)
    //    = 33 554 432 + 78 778 368 B = 112.33 us at 1 TB/s; Pc = 2·1000·2^24 / (1e15·0.5)
    //    + 4·8·128·1000·1000 / 1.8 / 5e14 = 67.11 + 4.55 = 71.66 us; Pm 39.39, Dc 43.38 us.
    expect(model({}).stepTime(mixed())).toBe(112);
    expect(model({ mixedStepJoint: 0 }).stepTime(mixed())).toBe(112);
  });

  it('make a mixed step one pass over all its tokens: weights read once, every token\u2019s bytes', () => {
    // Joint memory: 33 554 432 + prefill (1024·2·1000·0.85 + 4096·1000) + decodes 78 778 368
    // = 118 169 600 B = 118.17 us, above the joint compute 68.72 + 4.55 + 9.83 = 83.10 us.
    expect(model({ mixedStepJoint: 1 }).stepTime(mixed())).toBe(118);
    // Halfway: (112.3328 + 118.1696) / 2 = 115.25 us.
    expect(model({ mixedStepJoint: 0.5 }).stepTime(mixed())).toBe(115);
    // A step of one phase is untouched.
    expect(model({ mixedStepJoint: 1 }).stepTime(decodes(24, 1000))).toBe(
      model({}).stepTime(decodes(24, 1000)),
    );
  });

  it('refuse a mixedStepJoint outside [0, 1]', () => {
    expect(() => model({ mixedStepJoint: 1.5 })).toThrow(/mixedStepJoint must lie in \[0, 1\]/);
  });
});
