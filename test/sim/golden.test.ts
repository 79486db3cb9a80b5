import { describe, expect, it } from 'vitest';
import { summarize } from '../../src/sim/metrics.ts';
import { sharedJson } from '../support/shared.ts';
import { baseCluster, blackbox, goldenParams, simulate, source } from '../support/sim.ts';

interface GoldenCase {
  inputs: Record<string, number> & { 'alpha-coeffs': number[]; 'beta-coeffs': number[] };
  expected: Record<string, number>;
}
const golden = sharedJson<{ cases: GoldenCase[] }>('data/blis/golden_v0.6.1.json');
const binary = sharedJson<{ cases: { case: number; stdout_metrics: Record<string, number | string> }[] }>(
  'data/blis/golden_v0.6.1_binary_outputs.json',
);

function run(c: GoldenCase) {
  const res = simulate(
    baseCluster({ totalKVBlocks: c.inputs['total-kv-blocks']! }),
    blackbox(c.inputs['alpha-coeffs'], c.inputs['beta-coeffs']),
    source(goldenParams(c.inputs)),
  );
  return { res, m: summarize(res.instances, Number.POSITIVE_INFINITY, 'cluster') };
}

describe('BLIS v0.6.1 golden cases', () => {
  golden.cases.forEach((c, k) => {
    it(`case ${k} reproduces the reference binary's stdout metrics exactly`, () => {
      const { m } = run(c);
      const expected = binary.cases[k]!.stdout_metrics;
      for (const [field, want] of Object.entries(expected)) {
        const got = (m as unknown as Record<string, unknown>)[field];
        if (typeof want === 'number' && !Number.isInteger(want)) {
          expect(Math.abs((got as number) - want) / Math.abs(want), field).toBeLessThanOrEqual(1e-12);
        } else {
          expect(got, field).toBe(want);
        }
      }
    });
  });

  it('case 0 matches the worked trace of blis-reference §14 (steps, KV totals)', () => {
    const { res } = run(golden.cases[0]!);
    const inst = res.instances[0]!;
    expect(inst.stepCount).toBe(5363);
    expect(inst.kv.hits).toBe(5083);
    expect(inst.kv.misses).toBe(5766);
    expect(inst.peakKVBlocksUsed).toBe(296);
    const r0 = inst.log.record(0);
    expect(r0.ttft).toBe(17208);
    expect(r0.e2e).toBe(1974679);
    expect(r0.schedDelay).toBe(957);
    expect(inst.log.record(1).ttft).toBe(16976);
    expect(inst.kv.usedBlocks).toBe(0);
  });
});
