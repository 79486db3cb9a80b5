import { describe, expect, it } from 'vitest';
import { impliedOutputMean } from '../../src/groundtruth/implied-output.ts';

describe('impliedOutputMean', () => {
  it('inverts the ground truth ITL definition: output = (E2E − TTFT) / ITL + 1', () => {
    expect(impliedOutputMean({ e2e_mean_ms: 460, ttft_mean_ms: 26, itl_mean_ms: 7.2 })).toBeCloseTo(
      61.278,
      3,
    );
    expect(impliedOutputMean({ e2e_mean_ms: 17062.1, ttft_mean_ms: 55.1, itl_mean_ms: 15.2 })).toBeCloseTo(
      1119.9,
      1,
    );
  });

  it('gives nothing without all three means, with a non-positive ITL, or for at most one token', () => {
    expect(impliedOutputMean({ e2e_mean_ms: 460, ttft_mean_ms: 26 })).toBeUndefined();
    expect(impliedOutputMean({ e2e_mean_ms: 460, ttft_mean_ms: 26, itl_mean_ms: 0 })).toBeUndefined();
    expect(impliedOutputMean({ e2e_mean_ms: 20, ttft_mean_ms: 30, itl_mean_ms: 7 })).toBeUndefined();
    expect(impliedOutputMean(undefined)).toBeUndefined();
  });
});
