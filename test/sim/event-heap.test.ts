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

/** Reference: Go container/heap's Push and Pop, swap by swap, on an array of {time, id}. */
class GoHeap {
  private readonly h: { time: number; id: number }[] = [];
  private less = (i: number, j: number) => this.h[i]!.time < this.h[j]!.time;
  private swap = (i: number, j: number) => ([this.h[i], this.h[j]] = [this.h[j]!, this.h[i]!]);
  push(time: number, id: number): void {
    this.h.push({ time, id });
    let j = this.h.length - 1;
    while (j > 0 && this.less(j, (j - 1) >> 1)) {
      this.swap(j, (j - 1) >> 1);
      j = (j - 1) >> 1;
    }
  }
  pop(): number {
    const n = this.h.length - 1;
    this.swap(0, n);
    let i = 0;
    for (;;) {
      const l = 2 * i + 1;
      if (l >= n) break;
      const c = l + 1 < n && this.less(l + 1, l) ? l + 1 : l;
      if (!this.less(c, i)) break;
      this.swap(i, c);
      i = c;
    }
    return this.h.pop()!.id;
  }
}

describe('EventHeap', () => {
  it("pops in non-decreasing time order, with each event's kind and payload", () => {
    const heap = new EventHeap<string>();
    for (const t of [5, 1, 9, 1, 3, 7, 0]) heap.push(t, t * 10, `e${t}`);
    const out: [number, number, string | null][] = [];
    while (heap.size > 0) {
      heap.pop();
      out.push([heap.time, heap.kind, heap.payload]);
    }
    expect(out.map((e) => e[0])).toEqual([0, 1, 1, 3, 5, 7, 9]);
    for (const [time, kind, payload] of out) {
      expect(kind).toBe(time * 10);
      expect(payload).toBe(`e${time}`);
    }
  });

  it('breaks ties exactly like Go container/heap (not FIFO)', () => {
    let seed = 7;
    const rand = () => {
      seed = (seed * 1103515245 + 12345) % 2147483648;
      return seed;
    };
    for (let trial = 0; trial < 50; trial++) {
      const times = Array.from({ length: 40 }, () => rand() % 5);
      const heap = new EventHeap<number>();
      times.forEach((time, id) => {
        heap.push(time, 0, id);
      });
      const ids: number[] = [];
      while (heap.size > 0) {
        heap.pop();
        ids.push(heap.payload!);
      }
      expect(ids).toEqual(goOrder(times));
    }
  });

  it('matches Go container/heap under interleaved pushes and pops, growing past its first capacity', () => {
    let seed = 11;
    const rand = () => {
      seed = (seed * 1103515245 + 12345) % 2147483648;
      return seed;
    };
    const heap = new EventHeap<number>();
    const go = new GoHeap();
    let id = 0;
    const got: number[] = [];
    const want: number[] = [];
    for (let step = 0; step < 5000; step++) {
      // Pushes outnumber pops for the first half (the heap grows to hundreds), then drain.
      const push = heap.size === 0 || (step < 2500 ? rand() % 3 !== 0 : rand() % 3 === 0);
      if (push) {
        const time = rand() % 20;
        heap.push(time, 0, id);
        go.push(time, id++);
      } else {
        heap.pop();
        got.push(heap.payload!);
        want.push(go.pop());
      }
    }
    expect(got).toEqual(want);
    expect(id).toBeGreaterThan(200);
  });
});
