import { describe, expect, it } from 'vitest';
import { EventHeap } from '../../src/sim/event-heap.ts';

/** Reference: Go container/heap as reference §3.1 states it, on a plain array. */
function goOrder(times: number[]): number[] {
  const h: { time: number; id: number }[] = [];
  const out: number[] = [];
  const less = (i: number, j: number) => h[i]!.time < h[j]!.time;
  const swap = (i: number, j: number) => ([h[i], h[j]] = [h[j]!, h[i]!]);
  times.forEach((time, id) => {
    h.push({ time, id });
    let j = h.length - 1;
    while (j > 0 && less(j, (j - 1) >> 1)) {
      swap(j, (j - 1) >> 1);
      j = (j - 1) >> 1;
    }
  });
  while (h.length > 0) {
    const n = h.length - 1;
    swap(0, n);
    let i = 0;
    for (;;) {
      const l = 2 * i + 1;
      if (l >= n) break;
      let c = l;
      if (l + 1 < n && less(l + 1, l)) c = l + 1;
      if (!less(c, i)) break;
      swap(i, c);
      i = c;
    }
    out.push(h.pop()!.id);
  }
  return out;
}

describe('EventHeap', () => {
  it('pops in non-decreasing time order', () => {
    const heap = new EventHeap<{ time: number }>();
    for (const t of [5, 1, 9, 1, 3, 7, 0]) heap.push({ time: t });
    const out: number[] = [];
    while (heap.size > 0) out.push(heap.pop().time);
    expect(out).toEqual([0, 1, 1, 3, 5, 7, 9]);
  });

  it('breaks ties exactly like Go container/heap (not FIFO)', () => {
    let seed = 7;
    const rand = () => {
      seed = (seed * 1103515245 + 12345) % 2147483648;
      return seed;
    };
    for (let trial = 0; trial < 50; trial++) {
      const times = Array.from({ length: 40 }, () => rand() % 5);
      const heap = new EventHeap<{ time: number; id: number }>();
      times.forEach((time, id) => {
        heap.push({ time, id });
      });
      const ids: number[] = [];
      while (heap.size > 0) ids.push(heap.pop().id);
      expect(ids).toEqual(goOrder(times));
    }
  });
});
