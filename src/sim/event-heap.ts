/**
 * Min-heap keyed only by timestamp, with Go container/heap's exact sift order so that
 * events with equal timestamps pop in the same order as in BLIS (reference §3.1).
 * An event is (time, kind, payload) held in three parallel arrays, so a push allocates
 * nothing: an instance pushes one event per step and several per request.
 */
export class EventHeap<P> {
  size = 0;
  /** The fields of the event the last `pop` removed. */
  time = 0;
  kind = 0;
  payload: P | null = null;
  private times = new Float64Array(64);
  private kinds = new Int32Array(64);
  private payloads: (P | null)[] = new Array<P | null>(64).fill(null);

  peekTime(): number {
    return this.size > 0 ? this.times[0]! : Number.POSITIVE_INFINITY;
  }

  push(time: number, kind: number, payload: P | null): void {
    if (this.size === this.times.length) this.grow();
    const { times, kinds, payloads } = this;
    // Go's up(): the new event rises past every parent it is strictly earlier than
    // (moved into a hole rather than swapped: the same comparisons and final places).
    let j = this.size++;
    while (j > 0) {
      const parent = (j - 1) >> 1;
      if (!(time < times[parent]!)) break;
      times[j] = times[parent]!;
      kinds[j] = kinds[parent]!;
      payloads[j] = payloads[parent]!;
      j = parent;
    }
    times[j] = time;
    kinds[j] = kind;
    payloads[j] = payload;
  }

  /** Removes the earliest event into `time`, `kind` and `payload`; the heap must not be empty. */
  pop(): void {
    const { times, kinds, payloads } = this;
    const n = --this.size;
    this.time = times[0]!;
    this.kind = kinds[0]!;
    this.payload = payloads[0]!;
    // Go's Pop: swap(0, n), down(0, n), then drop the last: the former last event sinks
    // from the root within the first n slots.
    const time = times[n]!;
    const kind = kinds[n]!;
    const payload = payloads[n]!;
    payloads[n] = null;
    let i = 0;
    for (;;) {
      const left = 2 * i + 1;
      if (left >= n) break;
      let j = left;
      const right = left + 1;
      if (right < n && times[right]! < times[left]!) j = right;
      if (!(times[j]! < time)) break;
      times[i] = times[j]!;
      kinds[i] = kinds[j]!;
      payloads[i] = payloads[j]!;
      i = j;
    }
    if (n > 0) {
      times[i] = time;
      kinds[i] = kind;
      payloads[i] = payload;
    }
  }

  private grow(): void {
    const times = new Float64Array(this.times.length * 2);
    times.set(this.times);
    const kinds = new Int32Array(times.length);
    kinds.set(this.kinds);
    this.times = times;
    this.kinds = kinds;
    for (let i = this.payloads.length; i < times.length; i++) this.payloads.push(null);
  }
}
