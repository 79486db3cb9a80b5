import { describe, expect, it } from 'vitest';
import { buildRooflineModel } from '../../src/config/latency-factory.ts';
import type { StepRequest } from '../../src/latency/types.ts';

const decode = (n: number): StepRequest[] =>
  Array.from({ length: n }, () => ({ progressIndex: 1024, numNewTokens: 1, inputLen: 512, outputLen: 1024 }));

const mixtral = (kind: 'roofline-v1' | 'roofline-v2') =>
  buildRooflineModel({
    kind,
    model: 'mistralai/Mixtral-8x7B-v0.1',
    modelConfigPath: 'model_configs',
    hardwareConfigPath: 'hardware_config.blis-v0.6.1.json',
    gpu: 'H100',
    tp: 2,
    benchDataPath: 'bench_data',
  }).model;

describe('MoE weight bytes (distinct experts a batch touches)', () => {
  it('loads more expert weights as more decode requests route to more experts', () => {
    for (const kind of ['roofline-v1', 'roofline-v2'] as const) {
      const m = mixtral(kind);
      const t = [1, 2, 8, 64].map((n) => m.stepTime(decode(n)));
      for (let i = 1; i < t.length; i++) expect(t[i], kind).toBeGreaterThan(t[i - 1]!);
      // One token touches top-2 of 8 experts: far less than loading all eight, so one decode
      // step is much cheaper than a 64-request step that touches (almost) every expert.
      expect(t[0]! / t[3]!, kind).toBeLessThan(0.4);
    }
  });

  it('keeps v1 and v2 within a factor of two of each other for a single decode request', () => {
    const r = mixtral('roofline-v2').stepTime(decode(1)) / mixtral('roofline-v1').stepTime(decode(1));
    expect(r).toBeGreaterThan(0.5);
    expect(r).toBeLessThan(2);
  });
});
