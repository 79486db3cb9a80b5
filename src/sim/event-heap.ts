/**
 * Min-heap keyed only by timestamp, with Go container/heap's exact sift order so that
 * events with equal timestamps pop in the same order as in BLIS (reference §3.1).
 */
export class EventHeap<T extends { time: number }> {
  private readonly items: T[] = [];

  get size(): number {
    return this.items.length;
  }

  peekTime(): number {
    return this.items.length > 0 ? this.items[0]!.time : Number.POSITIVE_INFINITY;
  }

  push(ev: T): void {
    const h = this.items;
    h.push(ev);
    let j = h.length - 1;
    while (j > 0) {
      const parent = (j - 1) >> 1;
      if (!(h[j]!.time < h[parent]!.time)) break;
      const tmp = h[j]!;
      h[j] = h[parent]!;
      h[parent] = tmp;
      j = parent;
    }
  }

  pop(): T {
    const h = this.items;
    const n = h.length - 1;
    const top = h[0]!;
    h[0] = h[n]!;
    h[n] = top;
    // Go's down(0, n): sift within the first n elements.
    let i = 0;
    for (;;) {
      const left = 2 * i + 1;
      if (left >= n) break;
      let j = left;
      const right = left + 1;
      if (right < n && h[right]!.time < h[left]!.time) j = right;
      if (!(h[j]!.time < h[i]!.time)) break;
      const tmp = h[i]!;
      h[i] = h[j]!;
      h[j] = tmp;
      i = j;
    }
    return h.pop()!;
  }
}
