import { describe, expect, it } from 'vitest';
import { measuredSharedPrefixRequests } from '../../src/workload/measured-prefix.ts';
import { parseExecutedSharedPrefix, sharedPrefixRequests } from '../../src/workload/shared-prefix.ts';

/** The shipped Llama-2-7B codegen run: what it executed and what was measured. */
const EXECUTED = parseExecutedSharedPrefix({
  shared_prefix: {
    num_groups: 10,
    num_prompts_per_group: 10,
    system_prompt_len: 100,
    question_len: 466,
    output_len: 247,
  },
  stages: [
    { rate: 5, duration: 600 },
    { rate: 10, duration: 600 },
  ],
});
const LENGTHS = {
  prompt: { mean: 591.63, min: 580, p10: 584.9, median: 591, p90: 600, max: 604 },
  output: { mean: 195.09, min: 0, p10: 31, median: 247, p90: 249, max: 250 },
};

const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;

describe('measured shared-prefix replay', () => {
  const reqs = [...measuredSharedPrefixRequests(EXECUTED, LENGTHS, 42)];

  it('keeps the executed structure: request count, stages and arrival times', () => {
    const executed = [...sharedPrefixRequests(EXECUTED, 42)];
    expect(reqs.map((r) => [r.arrival, r.stage])).toEqual(executed.map((r) => [r.arrival, r.stage]));
  });

  it('sends lengths matching the measured means and bounds', () => {
    const ins = reqs.map((r) => r.input.length);
    const outs = reqs.map((r) => r.output.length);
    expect(mean(ins)).toBeCloseTo(591.63, 0);
    expect(Math.abs(mean(outs) - 195.09)).toBeLessThan(0.01 * 195.09);
    expect(Math.min(...ins)).toBeGreaterThanOrEqual(580);
    expect(Math.max(...ins)).toBeLessThanOrEqual(604);
    expect(Math.min(...outs)).toBeGreaterThanOrEqual(0);
    expect(Math.max(...outs)).toBeLessThanOrEqual(250);
  });

  it('shares each group system prompt, and a prompt drawn twice shares its common prefix', () => {
    const systems = new Set(reqs.map((r) => r.input.slice(0, 100).join(',')));
    expect(systems.size).toBe(10);
    const byQuestion = new Map<string, Int32Array[]>();
    for (const r of reqs) {
      const k = r.input.slice(100, 120).join(',');
      byQuestion.set(k, [...(byQuestion.get(k) ?? []), r.input]);
    }
    expect(byQuestion.size).toBe(100);
    for (const inputs of byQuestion.values()) {
      const [a, b] = inputs as [Int32Array, Int32Array];
      const n = Math.min(a.length, b.length);
      expect(a.slice(0, n)).toEqual(b.slice(0, n));
    }
  });

  it('is deterministic for a seed', () => {
    const again = [...measuredSharedPrefixRequests(EXECUTED, LENGTHS, 42)];
    expect(again.map((r) => [r.input.length, r.output.length])).toEqual(
      reqs.map((r) => [r.input.length, r.output.length]),
    );
    const other = [...measuredSharedPrefixRequests(EXECUTED, LENGTHS, 43)];
    expect(other.map((r) => r.output.length)).not.toEqual(reqs.map((r) => r.output.length));
  });

  it('sends part of the system prompt when a measured prompt is shorter than it', () => {
    const short = { ...LENGTHS, prompt: { mean: 50, min: 40, p10: 45, median: 50, p90: 55, max: 60 } };
    const rs = [...measuredSharedPrefixRequests(EXECUTED, short, 1)].slice(0, 200);
    for (const r of rs) expect(r.input.length).toBeLessThanOrEqual(60);
    expect(new Set(rs.map((r) => r.input.slice(0, 40).join(','))).size).toBe(10);
  });
});
