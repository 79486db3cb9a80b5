import { describe, expect, it } from 'vitest';
import { withRequestStepCost, workingRequests } from '../../src/latency/request-step.ts';
import type { LatencyModel, StepRequest } from '../../src/latency/types.ts';
import { decodes, prefill } from '../support/roofline.ts';

/** A model whose step costs 1000 µs plus 2 µs per new token, with a breakdown of its own. */
const flat: LatencyModel = {
  name: 'roofline-v1',
  stepTime: (b) => 1000 + 2 * b.reduce((n, r) => n + r.numNewTokens, 0),
  queueingTime: () => 7,
  outputTokenProcessingTime: () => 0,
  schedulingProcessingTime: () => 0,
  preemptionProcessingTime: () => 0,
  ttftDecodeSteps: 0.5,
  breakdown: () => ({ contributions_us: {}, counts: {} }),
};

describe('requestStepMicros: the engine CPU work per request of a step (ours)', () => {
  it('counts the requests a step works for: prefills and decodes with output left', () => {
    const done: StepRequest = { progressIndex: 300, numNewTokens: 0, inputLen: 200, outputLen: 0 };
    expect(workingRequests([prefill(0, 200), ...decodes(3, 500), done])).toBe(4);
  });

  it('adds micros × working requests to the step, rounded to whole µs', () => {
    // 1 prefill of 200 tokens + 3 decodes: 1000 + 2·203 = 1406 µs on the GPU; 4 requests at
    // 85.4 µs = 341.6 → 342 µs of CPU work after it.
    const batch = [prefill(0, 200), ...decodes(3, 500)];
    expect(flat.stepTime(batch)).toBe(1406);
    expect(withRequestStepCost(flat, 85.4).stepTime(batch)).toBe(1406 + 342);
    // One decode: 1002 + 85 (85.4 rounded).
    expect(withRequestStepCost(flat, 85.4).stepTime(decodes(1, 500))).toBe(1002 + 85);
  });

  it('keeps every other hook, drops a breakdown that would no longer sum, and is the model itself at 0', () => {
    const m = withRequestStepCost(flat, 50);
    expect(m.queueingTime(10)).toBe(7);
    expect(m.ttftDecodeSteps).toBe(0.5);
    expect(m.name).toBe('roofline-v1');
    expect(m.breakdown).toBeUndefined();
    expect(withRequestStepCost(flat, 0)).toBe(flat);
  });
});
