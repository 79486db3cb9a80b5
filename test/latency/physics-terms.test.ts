import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { loadMfuDatabase } from '../../src/config/bench-data.ts';
import { loadModelConfig } from '../../src/config/model-config.ts';
import { InputError } from '../../src/errors.ts';
import type { ModelArch } from '../../src/latency/arch.ts';
import {
  allReduceHopsPerStepMicros,
  allReduceSecondsPerToken,
  ringAllReduceHopsMicros,
  ringAllReduceSeconds,
} from '../../src/latency/comm.ts';
import { lmHeadCost } from '../../src/latency/lm-head.ts';
import type { PhysicsTerms } from '../../src/latency/physics-terms.ts';
import { RooflineV1Model } from '../../src/latency/roofline-v1.ts';
import {
  OPTROOFLINE_CALIBRATION,
  RooflineV1CalibratedModel,
} from '../../src/latency/roofline-v1-calibrated.ts';
import { RooflineV2Model } from '../../src/latency/roofline-v2.ts';
import type { LatencyModel } from '../../src/latency/types.ts';
import type { MfuDatabase } from '../../src/mfu/database.ts';
import { BLIS_H100_V1, BLIS_H100_V2, decodes, prefill } from '../support/roofline.ts';

const arch = (m: string): ModelArch => loadModelConfig(join('model_configs', m));
const llama8b = () => arch('llama-3.1-8b-instruct');

describe('ring all-reduce at the link bandwidth (hand-computed)', () => {
  // 1000 tokens of Llama-3.1-8B's activations: 1000 · 4096 · 2 B = 8.192 MB.
  const bytes = 8_192_000;
  it('sends 2(tp−1)/tp of the message each way at half the bidirectional datasheet figure', () => {
    // H100 NVLink 900 GB/s → 450 GB/s each way. TP 2: 1 × 8.192e6 / 450e9 = 18.204 µs.
    expect(ringAllReduceSeconds(bytes, 2, 900) * 1e6).toBeCloseTo(18.2044, 3);
    // TP 4: 1.5 × → 27.307 µs; TP 8: 1.75 × → 31.858 µs.
    expect(ringAllReduceSeconds(bytes, 4, 900) * 1e6).toBeCloseTo(27.3067, 3);
    expect(ringAllReduceSeconds(bytes, 8, 900) * 1e6).toBeCloseTo(31.8578, 3);
    // L40S PCIe Gen4 x16, 64 GB/s → 32 GB/s each way. TP 2: 8.192e6 / 32e9 = 256 µs.
    expect(ringAllReduceSeconds(bytes, 2, 64) * 1e6).toBeCloseTo(256, 6);
  });
  it('is nothing at TP 1 or for an empty message', () => {
    expect(ringAllReduceSeconds(bytes, 1, 900)).toBe(0);
    expect(ringAllReduceSeconds(0, 8, 900)).toBe(0);
  });
  it('per step token: two all-reduces per layer of one activation row, times the scale', () => {
    // Llama-3.1-8B (L 32, d 4096, bf16) at TP 4 on 900 GB/s: 64 · 1.5 · 8192 B / 450e9 = 1.74763 µs.
    const perToken = allReduceSecondsPerToken(
      llama8b(),
      4,
      { InterconnectGBs: 900, allReduceLinkScale: 1 },
      'x',
    );
    expect(perToken * 1e6).toBeCloseTo(1.747627, 5);
    const slower = allReduceSecondsPerToken(
      llama8b(),
      4,
      { InterconnectGBs: 900, allReduceLinkScale: 1.25 },
      'x',
    );
    expect(slower / perToken).toBeCloseTo(1.25, 12);
  });
  it('is off at scale 0 or TP 1, and needs the link figure otherwise (error naming it)', () => {
    expect(allReduceSecondsPerToken(llama8b(), 8, { InterconnectGBs: 900 }, 'x')).toBe(0);
    expect(allReduceSecondsPerToken(llama8b(), 1, { allReduceLinkScale: 1 }, 'x')).toBe(0);
    expect(() => allReduceSecondsPerToken(llama8b(), 2, { allReduceLinkScale: 1 }, 'roofline-v2')).toThrow(
      InputError,
    );
    expect(() => allReduceSecondsPerToken(llama8b(), 2, { allReduceLinkScale: 1 }, 'roofline-v2')).toThrow(
      /roofline-v2: allReduceLinkScale needs the GPU's InterconnectGBs/,
    );
  });
});

describe('ring all-reduce latency per ring step (hand-computed)', () => {
  it('waits 2(tp − 1) steps per all-reduce, two all-reduces per layer', () => {
    expect([1, 2, 4, 8].map((tp) => ringAllReduceHopsMicros(tp, 3))).toEqual([0, 6, 18, 42]);
    // Llama-3.1-8B, 32 layers at TP 8 with 3 µs per step: 64 all-reduces · 14 steps · 3 µs = 2688 µs.
    expect(allReduceHopsPerStepMicros(llama8b(), 8, { allReduceHopMicros: 3 })).toBe(2688);
    expect(allReduceHopsPerStepMicros(llama8b(), 8, {})).toBe(0);
  });
});

describe('LM head (hand-computed)', () => {
  it('is vocabulary × hidden: Llama-3.1-8B 128 256 × 4 096, Llama-2-7B 32 000 × 4 096', () => {
    const l3 = lmHeadCost(llama8b(), 1);
    expect(l3.bytes).toBe(1_050_673_152); // 525 336 576 params · 2 B
    expect(l3.flopsPerRow).toBe(1_050_673_152); // 2 FLOPs per param and row
    expect([l3.k, l3.n]).toEqual([4096, 128256]);
    expect(lmHeadCost(arch('llama-2-7b-hf'), 1).bytes).toBe(262_144_000);
    expect(lmHeadCost(llama8b(), 0.5).bytes).toBe(525_336_576);
    expect(lmHeadCost(llama8b(), 0)).toMatchObject({ bytes: 0, flopsPerRow: 0 });
  });
  it('keeps the activation width in an FP8 checkpoint (the output embedding is not quantised)', () => {
    const scout = arch('llama-4-scout-17b-16e-instruct-fp8-dynamic');
    expect(scout.weightBytesPerParam).toBe(1);
    expect(lmHeadCost(scout, 1).bytes).toBe(scout.vocabSize * scout.hiddenSize * 2);
  });
});

let db: MfuDatabase;
beforeAll(() => {
  db = loadMfuDatabase('bench_data', 'H100');
});

type Build = (a: ModelArch, tp: number, terms: PhysicsTerms) => LatencyModel;
const kinds: Record<string, Build> = {
  'roofline-v1': (a, tp, t) => new RooflineV1Model(a, { ...BLIS_H100_V1, ...t }, tp),
  'roofline-v1 calibrated': (a, tp, t) =>
    new RooflineV1CalibratedModel(a, { ...BLIS_H100_V1, ...t }, OPTROOFLINE_CALIBRATION, tp),
  'roofline-v2': (a, tp, t) => new RooflineV2Model(a, { ...BLIS_H100_V2, ...t }, tp, db),
  'roofline-v2 monotone': (a, tp, t) =>
    new RooflineV2Model(a, { ...BLIS_H100_V2, ...t }, tp, db, { monotone: true }),
};

describe.each(Object.keys(kinds))('%s with the physics terms', (kind) => {
  const build = kinds[kind]!;
  const batch = () => [prefill(0, 512), prefill(1024, 256), ...decodes(8, 1000)];
  const tokens = 512 + 256 + 8;

  it('is unchanged with both terms at 0 and the link figure given', () => {
    for (const tp of [1, 2, 4]) {
      const plain = build(llama8b(), tp, {}).stepTime(batch());
      const zero = {
        InterconnectGBs: 900,
        allReduceLinkScale: 0,
        allReduceHopMicros: 0,
        lmHeadScale: 0,
      };
      expect(build(llama8b(), tp, zero).stepTime(batch())).toBe(plain);
    }
  });

  it('adds exactly the all-reduces at the link bandwidth, per token, at TP > 1 only', () => {
    for (const tp of [1, 2, 4, 8]) {
      const plain = build(llama8b(), tp, {}).stepTime(batch());
      const link = { InterconnectGBs: 900, allReduceLinkScale: 1 };
      const added = build(llama8b(), tp, link).stepTime(batch()) - plain;
      const want = allReduceSecondsPerToken(llama8b(), tp, link, 'x') * tokens * 1e6;
      expect(Math.abs(added - want), `TP ${tp}: +${added} µs, want ${want}`).toBeLessThanOrEqual(1);
      if (tp === 1) expect(added).toBe(0);
    }
  });

  it('adds the ring steps of every all-reduce', () => {
    for (const tp of [1, 2, 8]) {
      const plain = build(llama8b(), tp, {}).stepTime(batch());
      const hops = build(llama8b(), tp, { allReduceHopMicros: 3 }).stepTime(batch()) - plain;
      expect(hops).toBe(2 * 32 * 2 * (tp - 1) * 3);
    }
  });

  it('slows a PCIe link 14× more than NVLink (64 vs 900 GB/s)', () => {
    const plain = build(llama8b(), 2, {}).stepTime(batch());
    const on = (gbs: number) =>
      build(llama8b(), 2, { InterconnectGBs: gbs, allReduceLinkScale: 1 }).stepTime(batch()) - plain;
    expect(on(64) / on(900)).toBeCloseTo(900 / 64, 1);
  });

  it("makes a vocabulary-heavy model's decode slower by at least its LM head's weight read", () => {
    // One decode request: memory-bound, so the LM head's 1.05 GB of Llama-3.1-8B add their read time.
    const one = decodes(1, 1000);
    const plain = build(llama8b(), 1, {}).stepTime(one);
    const added = build(llama8b(), 1, { lmHeadScale: 1 }).stepTime(one) - plain;
    const bw = kind.startsWith('roofline-v2') ? 3.35e12 * 0.82 : 3.35e12 * 0.72;
    const read = (1_050_673_152 / bw) * 1e6; // v1: 435.6 µs, v2: 382.5 µs
    expect(added).toBeGreaterThanOrEqual(Math.floor(read));
    expect(added).toBeLessThan(read * 1.5);
    // Llama-2-7B's 32 000-word vocabulary costs a quarter of that.
    const l2 = arch('llama-2-7b-hf');
    const l2Added = build(l2, 1, { lmHeadScale: 1 }).stepTime(one) - build(l2, 1, {}).stepTime(one);
    expect(l2Added / added).toBeCloseTo(32000 / 128256, 1);
  });
});
