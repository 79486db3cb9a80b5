import { describe, expect, it } from 'vitest';
import { prefixSpanUs, stagePrefixes } from '../../src/eval/fidelity.ts';
import type { WorkloadPlan } from '../../src/groundtruth/experiment.ts';
import type { WorkloadRequest } from '../../src/workload/types.ts';

const req = (arrival: number, stage?: number): WorkloadRequest => ({
  id: `request_${arrival}`,
  arrival,
  input: new Int32Array(1),
  output: new Int32Array(1),
  ...(stage !== undefined && { stage }),
});

describe('searches on part of each stage', () => {
  it('keeps the requests of the first fraction of every stage, in order', () => {
    // Two stages of 10 s and 20 s: windows [0, 2 s) and [10 s, 14 s) at 20 %.
    const plan = {
      kind: 'executed',
      spec: { stages: [{ duration: 10 }, { duration: 20 }] },
    } as unknown as WorkloadPlan;
    const arrivals = [0, 1e6, 1.9e6, 2e6, 9e6, 10e6, 13.9e6, 14e6, 29e6];
    const source = arrivals.map((a) => req(a, a < 10e6 ? 0 : 1));
    const kept = [...stagePrefixes(plan, source, 0.2)].map((r) => r.arrival);
    expect(kept).toEqual([0, 1e6, 1.9e6, 10e6, 13.9e6]);
    // The overload cutoff of the partial replay starts where its last window ends.
    expect(prefixSpanUs(plan, 0.2)).toBe(14e6);
    expect(prefixSpanUs(plan, 1)).toBe(30e6);
  });

  it('keeps the first fraction of the arrival span of an unstaged workload and stops reading there', () => {
    const plan = { kind: 'distribution', params: { numRequests: 100, rate: 10 } } as unknown as WorkloadPlan;
    let pulled = 0;
    function* source() {
      for (let i = 0; i < 100; i++) {
        pulled++;
        yield req(i * 1e5);
      }
    }
    const kept = [...stagePrefixes(plan, { [Symbol.iterator]: source }, 0.25)];
    expect(kept).toHaveLength(25);
    expect(pulled).toBe(26);
  });
});
