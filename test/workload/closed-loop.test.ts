import { describe, expect, it } from 'vitest';
import { closedLoop, isClosedLoop } from '../../src/workload/closed-loop.ts';
import type { WorkloadRequest } from '../../src/workload/types.ts';

const req = (i: number, arrival: number): WorkloadRequest => ({
  id: `request_${i}`,
  arrival,
  input: new Int32Array(4),
  output: new Int32Array(2),
});

describe('closed-loop source', () => {
  it('unpaced: sends N at once, then one at each completion, first come first served', () => {
    const src = [0, 1, 2, 3, 4].map((i) => req(i, 1000 * i));
    const loop = closedLoop(src, { maxConcurrency: 2, paced: false });
    expect(isClosedLoop(loop)).toBe(true);
    expect(loop.nextSendTime()).toBe(0);
    expect(loop.send().arrival).toBe(0);
    expect(loop.send().arrival).toBe(0);
    expect(loop.nextSendTime()).toBe(Number.POSITIVE_INFINITY);
    loop.finished(700);
    expect(loop.nextSendTime()).toBe(700);
    // A completion reported later but earlier in time frees the earlier slot.
    loop.finished(500);
    expect(loop.nextSendTime()).toBe(500);
    expect(loop.send()).toMatchObject({ id: 'request_2', arrival: 500 });
    expect(loop.send()).toMatchObject({ id: 'request_3', arrival: 700 });
    expect(loop.exhausted()).toBe(false);
    loop.finished(900);
    expect(loop.send()).toMatchObject({ id: 'request_4', arrival: 900 });
    expect(loop.exhausted()).toBe(true);
    expect(loop.nextSendTime()).toBe(Number.POSITIVE_INFINITY);
    expect(() => loop.send()).toThrow(/no request/);
  });

  it('paced: a request waits for its time, or for a slot when the limit is reached', () => {
    const src = [req(0, 100), req(1, 200), req(2, 300)];
    const loop = closedLoop(src, { maxConcurrency: 1, paced: true });
    expect(loop.send().arrival).toBe(100);
    loop.finished(150); // done before the next is due: it goes at its time
    expect(loop.send().arrival).toBe(200);
    loop.finished(450); // done after the next was due: it goes at the completion
    expect(loop.send().arrival).toBe(450);
  });

  it('leaves the source requests untouched (a reused replay sends them again)', () => {
    const src = [req(0, 0), req(1, 10)];
    const loop = closedLoop(src, { maxConcurrency: 1, paced: true });
    loop.send();
    loop.finished(50);
    expect(loop.send().arrival).toBe(50);
    expect(src[1]!.arrival).toBe(10);
  });

  it('refuses a limit below 1', () => {
    expect(() => closedLoop([], { maxConcurrency: 0, paced: false })).toThrow(/maxConcurrency/);
  });
});
