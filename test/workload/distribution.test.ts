import { describe, expect, it } from 'vitest';
import { InputError } from '../../src/errors.ts';
import { GoRand } from '../../src/sim/rng.ts';
import {
  type DistributionParams,
  distributionRequests,
  gaussLength,
  validateDistributionParams,
} from '../../src/workload/distribution.ts';
import { presetLengths, WORKLOAD_PRESETS } from '../../src/workload/presets.ts';
import type { WorkloadRequest } from '../../src/workload/types.ts';
import { GOLDEN_A, GOLDEN_B } from '../support/golden-workloads.ts';

/** Golden workloads A and B of reference §14 at the golden rate and count. */
const A: DistributionParams = { rate: 10, numRequests: 300, ...GOLDEN_A };
const B: DistributionParams = { ...A, ...GOLDEN_B };

const totals = (reqs: Iterable<WorkloadRequest>) => {
  let input = 0;
  let decodeSteps = 0;
  let count = 0;
  for (const r of reqs) {
    input += r.input.length;
    decodeSteps += Math.max(r.output.length - 1, 0);
    count++;
  }
  return { count, input, decodeSteps };
};

describe('distribution workload', () => {
  it('reproduces the worked trace of golden case 1', () => {
    const reqs = [...distributionRequests(A, 42)].slice(0, 5);
    const first = reqs[0]!;
    expect(Array.from(first.input.subarray(0, 5))).toEqual([48305, 38987, 1668, 50750, 19423]);
    expect(Array.from(first.input.subarray(284, 287))).toEqual([127751, 26262, 21729]);
    expect(Array.from(first.output.subarray(0, 3))).toEqual([126737, 1232, 91982]);
    expect(reqs[1]!.input[284]).toBe(86897);
    expect(reqs.map((r) => [r.id, r.arrival, r.input.length, r.output.length])).toEqual([
      ['request_0', 0, 414, 212],
      ['request_1', 99999, 381, 246],
      ['request_2', 199998, 354, 53],
      ['request_3', 299997, 365, 287],
      ['request_4', 399996, 374, 83],
    ]);
    // The prefix is shared by every request.
    expect(Array.from(reqs[4]!.input.subarray(0, 284))).toEqual(Array.from(first.input.subarray(0, 284)));
  });

  it('gives the golden token totals (decode steps = output length − 1 per request)', () => {
    expect(totals(distributionRequests(A, 42))).toEqual({ count: 300, input: 106250, decodeSteps: 64740 });
    expect(totals(distributionRequests(B, 42))).toEqual({ count: 300, input: 545758, decodeSteps: 12541 });
    expect(totals(distributionRequests({ ...A, numRequests: 500 }, 42))).toEqual({
      count: 500,
      input: 177729,
      decodeSteps: 106904,
    });
  });

  it('is deterministic per seed, with non-decreasing arrivals and lengths within bounds', () => {
    for (const seed of [1, 42, 7777]) {
      const a = [...distributionRequests({ ...B, numRequests: 50 }, seed)];
      const b = [...distributionRequests({ ...B, numRequests: 50 }, seed)];
      expect(a).toEqual(b);
      for (let i = 0; i < a.length; i++) {
        const r = a[i]!;
        if (i > 0) expect(r.arrival).toBeGreaterThanOrEqual(a[i - 1]!.arrival);
        expect(r.input.length).toBeGreaterThanOrEqual(B.promptTokensMin);
        expect(r.input.length).toBeLessThanOrEqual(B.promptTokensMax);
        expect(r.output.length).toBeGreaterThanOrEqual(B.outputTokensMin);
        expect(r.output.length).toBeLessThanOrEqual(B.outputTokensMax);
      }
    }
    expect([...distributionRequests({ ...B, numRequests: 5 }, 1)]).not.toEqual([
      ...distributionRequests({ ...B, numRequests: 5 }, 2),
    ]);
  });

  it('truncates the interval and honours the horizon', () => {
    const at = (p: Partial<DistributionParams>) =>
      [...distributionRequests({ ...A, ...p }, 42)].map((r) => r.arrival);
    expect(at({ rate: 1, numRequests: 3 })).toEqual([0, 1_000_000, 2_000_000]);
    expect(at({ horizon: 250_000 })).toEqual([0, 99999, 199998]);
    expect(at({ horizon: 199_998 })).toEqual([0, 99999]);
    expect(at({ horizon: Number.MAX_SAFE_INTEGER, numRequests: 2 })).toEqual([0, 99999]);
  });

  it('is lazy: nothing is drawn before the first request is read', () => {
    const gen = distributionRequests(A, 42);
    expect(gen.next().value?.id).toBe('request_0');
  });

  it('Gauss draws nothing when min == max and rounds half away from zero', () => {
    const r = new GoRand(42);
    expect(gaussLength(r, 100, 50, 7, 7)).toBe(7);
    expect(r.intn(128000)).toBe(48305);
    expect(gaussLength(new GoRand(1), 0, 0, -10, 10)).toBe(0);
    expect(gaussLength(new GoRand(1), 2.5, 0, 0, 10)).toBe(3);
    expect(gaussLength(new GoRand(1), -2.5, 0, -10, 10)).toBe(-3);
  });
});

describe('distribution validation', () => {
  const bad = (p: Partial<DistributionParams>, flag: string) => {
    const run = () => validateDistributionParams({ ...A, ...p });
    expect(run).toThrow(InputError);
    expect(run).toThrow(flag);
  };

  it('accepts the golden parameters and every preset', () => {
    expect(() => validateDistributionParams(A)).not.toThrow();
    expect(() => validateDistributionParams(B)).not.toThrow();
    for (const name of Object.keys(WORKLOAD_PRESETS)) {
      expect(() =>
        validateDistributionParams({ ...presetLengths(name), rate: 1, numRequests: 10 }),
      ).not.toThrow();
    }
  });

  it('rejects bad flags by name, including the odd stdev-in-range rule', () => {
    bad({ rate: 0 }, '--rate');
    bad({ rate: -1 }, '--rate');
    bad({ promptTokens: 201 }, '--prompt-tokens');
    bad({ promptTokensStdev: 1 }, '--prompt-tokens-stdev');
    bad({ outputTokensStdev: 600 }, '--output-tokens-stdev');
    bad({ outputTokensMin: 600 }, '--output-tokens-min');
  });
});

describe('presets', () => {
  it('hold the defaults.yaml numbers', () => {
    expect(WORKLOAD_PRESETS.chatbot).toMatchObject({
      promptTokens: 256,
      promptTokensMax: 800,
      outputTokensMin: 1,
    });
    expect(WORKLOAD_PRESETS.summarization).toMatchObject({ promptTokens: 4096, outputTokens: 512 });
    expect(WORKLOAD_PRESETS.contentgen).toMatchObject({ promptTokensStdev: 150, outputTokensStdev: 200 });
    expect(WORKLOAD_PRESETS.multidoc).toMatchObject({
      prefixTokens: 0,
      promptTokens: 10240,
      outputTokensMax: 4096,
    });
  });

  it('rejects an unknown preset naming --workload', () => {
    expect(() => presetLengths('chat')).toThrow(/--workload/);
  });
});
