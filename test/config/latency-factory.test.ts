import { describe, expect, it } from 'vitest';
import { buildRooflineModel } from '../../src/config/latency-factory.ts';

const options = (kind: 'roofline-v1' | 'roofline-v2', calibration?: Record<string, number>) => ({
  kind,
  model: 'meta-llama/Llama-3.1-8B-Instruct',
  modelConfigPath: 'model_configs',
  hardwareConfigPath: 'hardware_config.blis-v0.6.1.json',
  gpu: 'H100',
  tp: 1,
  benchDataPath: 'bench_data',
  ...(calibration && { calibration: kind === 'roofline-v2' ? { v2: calibration } : { v1: calibration } }),
});
const build = (kind: 'roofline-v1' | 'roofline-v2', calibration?: Record<string, number>) =>
  buildRooflineModel(options(kind, calibration));

describe('requestOverheadMicros (per-request delay before queueing)', () => {
  it('is absent from the shipped config, so queueing time stays BLIS v0.6.1 zero', () => {
    expect(build('roofline-v1').model.queueingTime(512)).toBe(0);
    expect(build('roofline-v2').model.queueingTime(512)).toBe(0);
  });

  it('becomes the queueing time of every request, without touching step times', () => {
    for (const kind of ['roofline-v1', 'roofline-v2'] as const) {
      const plain = build(kind);
      const withOverhead = build(kind, { requestOverheadMicros: 12_500 });
      expect(withOverhead.model.queueingTime(512)).toBe(12_500);
      expect(withOverhead.variant).toBe(plain.variant);
      const batch = [{ progressIndex: 0, numNewTokens: 512, inputLen: 512, outputLen: 10 }];
      expect(withOverhead.model.stepTime(batch)).toBe(plain.model.stepTime(batch));
    }
  });
});

describe('ttftDecodeSteps (first-token lag)', () => {
  it('reaches both rooflines from their sections, absent = 0, without touching step times', () => {
    for (const kind of ['roofline-v1', 'roofline-v2'] as const) {
      const plain = build(kind);
      const lagged = build(kind, { ttftDecodeSteps: 0.75 });
      expect(plain.model.ttftDecodeSteps ?? 0).toBe(0);
      expect(lagged.model.ttftDecodeSteps).toBe(0.75);
      expect(lagged.variant).toBe(plain.variant);
      const batch = [{ progressIndex: 600, numNewTokens: 1, inputLen: 512, outputLen: 200 }];
      expect(lagged.model.stepTime(batch)).toBe(plain.model.stepTime(batch));
    }
  });
});

describe('requestStepMicros (engine CPU work per request of a step, synchronous servers only)', () => {
  const batch = [
    { progressIndex: 0, numNewTokens: 192, inputLen: 192, outputLen: 64 },
    ...Array.from({ length: 20 }, () => ({
      progressIndex: 250,
      numNewTokens: 1,
      inputLen: 192,
      outputLen: 64,
    })),
  ];
  const setup = (kind: 'roofline-v1' | 'roofline-v2', syncScheduling: boolean | undefined) => ({
    ...options(kind, { requestStepMicros: 85 }),
    ...(syncScheduling !== undefined && { syncScheduling }),
  });

  it('costs a synchronous server 85 µs for each of the 21 requests of a step, in both rooflines', () => {
    for (const kind of ['roofline-v1', 'roofline-v2'] as const) {
      const plain = build(kind).model.stepTime(batch);
      expect(buildRooflineModel(setup(kind, true)).model.stepTime(batch)).toBe(plain + 21 * 85);
    }
  });

  it('costs an async-scheduling server (or one of unknown mode) nothing', () => {
    for (const kind of ['roofline-v1', 'roofline-v2'] as const) {
      const plain = build(kind).model.stepTime(batch);
      expect(buildRooflineModel(setup(kind, false)).model.stepTime(batch)).toBe(plain);
      expect(buildRooflineModel(setup(kind, undefined)).model.stepTime(batch)).toBe(plain);
    }
  });
});
