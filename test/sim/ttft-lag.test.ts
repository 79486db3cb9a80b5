import { describe, expect, it } from 'vitest';
import type { LatencyModel } from '../../src/latency/types.ts';
import type { DistributionParams } from '../../src/workload/distribution.ts';
import { baseCluster, blackbox, simulate, source } from '../support/sim.ts';

/** The same model with the first-token lag (LatencyModel.ttftDecodeSteps) set to k. */
const lagged = (m: LatencyModel, k: number): LatencyModel =>
  Object.create(m, { ttftDecodeSteps: { value: k } }) as LatencyModel;

const params = (n: number, output: [number, number]): DistributionParams => ({
  rate: 20,
  numRequests: n,
  prefixTokens: 0,
  promptTokens: 100,
  promptTokensStdev: 0,
  promptTokensMin: 100,
  promptTokensMax: 100,
  outputTokens: output[0],
  outputTokensStdev: 30,
  outputTokensMin: output[0],
  outputTokensMax: output[1],
});

function requests(m: LatencyModel, p: DistributionParams) {
  const res = simulate(baseCluster({ totalKVBlocks: 2000, blockSize: 16 }), m, source(p, 7));
  return res.instances.flatMap((i) => i.log.records()).filter((q) => q.completed);
}

describe('first-token lag (ttftDecodeSteps)', () => {
  const alpha = [200, 1.5, 3000];
  const beta = [5000, 17, 6];
  const model = blackbox(alpha, beta);

  it("adds exactly k times the request's first decode step to TTFT, not to E2E", () => {
    // One request of 100 prompt tokens and 2 output tokens: its one decode step runs alone.
    const one = params(1, [2, 2]);
    const [base] = requests(model, one);
    const [lag] = requests(lagged(model, 0.5), one);
    const firstDecodeStep = beta[0]! + beta[2]! + alpha[2]!;
    expect(lag!.ttft - base!.ttft).toBe(0.5 * firstDecodeStep);
    expect(lag!.e2e).toBe(base!.e2e);
  });

  it('on a loaded run: E2E unchanged, TTFT later only with a decode step, never after E2E', () => {
    const p = params(200, [0, 60]);
    const base = requests(model, p);
    const half = requests(lagged(model, 0.5), p);
    const full = requests(lagged(model, 1), p);
    expect(full.length).toBe(base.length);
    for (let i = 0; i < base.length; i++) {
      const [b, h, f] = [base[i]!, half[i]!, full[i]!];
      expect(f.e2e).toBe(b.e2e);
      expect(f.ttft - b.ttft).toBe(2 * (h.ttft - b.ttft));
      if (b.outputLen >= 2) expect(f.ttft).toBeGreaterThan(b.ttft);
      else expect(f.ttft).toBe(b.ttft);
      expect(f.ttft).toBeLessThanOrEqual(f.e2e);
    }
  });
});
