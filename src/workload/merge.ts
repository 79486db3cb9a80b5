/**
 * Ordering helpers for lazy generation: a small binary heap, and a k-way merge that
 * reproduces BLIS's "append every client's requests, then stable-sort by arrival"
 * without materialising everything (ties go to the earlier stream, then to the
 * earlier item of that stream, exactly as a stable sort keeps them).
 */

export class MinHeap<T> {
  private readonly items: T[] = [];

  constructor(private readonly less: (a: T, b: T) => boolean) {}

  get size(): number {
    return this.items.length;
  }

  peek(): T | undefined {
    return this.items[0];
  }

  push(item: T): void {
    const a = this.items;
    a.push(item);
    let i = a.length - 1;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if (!this.less(a[i]!, a[parent]!)) break;
      [a[i], a[parent]] = [a[parent]!, a[i]!];
      i = parent;
    }
  }

  pop(): T | undefined {
    const a = this.items;
    const top = a[0];
    const last = a.pop();
    if (a.length > 0 && last !== undefined) {
      a[0] = last;
      let i = 0;
      for (;;) {
        const l = 2 * i + 1;
        const r = l + 1;
        let m = i;
        if (l < a.length && this.less(a[l]!, a[m]!)) m = l;
        if (r < a.length && this.less(a[r]!, a[m]!)) m = r;
        if (m === i) break;
        [a[i], a[m]] = [a[m]!, a[i]!];
        i = m;
      }
    }
    return top;
  }
}

interface Head<T> {
  item: T;
  stream: number;
  iter: Iterator<T>;
}

/**
 * Merges streams that are each already ordered by `key`; equal keys come out in
 * stream order. Streams are pulled only as far as the consumer reads.
 */
export function* mergeByKey<T>(streams: Iterable<T>[], key: (item: T) => number): Generator<T> {
  const heap = new MinHeap<Head<T>>((a, b) => {
    const ka = key(a.item);
    const kb = key(b.item);
    return ka < kb || (ka === kb && a.stream < b.stream);
  });
  streams.forEach((s, stream) => {
    const iter = s[Symbol.iterator]();
    const first = iter.next();
    if (!first.done) heap.push({ item: first.value, stream, iter });
  });
  for (;;) {
    const head = heap.pop();
    if (head === undefined) return;
    yield head.item;
    const next = head.iter.next();
    if (!next.done) heap.push({ item: next.value, stream: head.stream, iter: head.iter });
  }
}
