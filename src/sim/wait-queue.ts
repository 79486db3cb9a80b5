import type { SimRequest } from './request.ts';

/** BLIS WaitQ: FIFO with front insertion for preempted requests. A ring buffer, O(1) ends. */
export class WaitQueue {
  private buf: (SimRequest | undefined)[] = new Array(16);
  private head = 0;
  length = 0;

  pushBack(r: SimRequest): void {
    if (this.length === this.buf.length) this.grow();
    this.buf[(this.head + this.length) & (this.buf.length - 1)] = r;
    this.length++;
  }

  pushFront(r: SimRequest): void {
    if (this.length === this.buf.length) this.grow();
    this.head = (this.head - 1) & (this.buf.length - 1);
    this.buf[this.head] = r;
    this.length++;
  }

  peekFront(): SimRequest {
    return this.buf[this.head]!;
  }

  popFront(): SimRequest {
    const r = this.buf[this.head]!;
    this.buf[this.head] = undefined;
    this.head = (this.head + 1) & (this.buf.length - 1);
    this.length--;
    return r;
  }

  at(i: number): SimRequest {
    return this.buf[(this.head + i) & (this.buf.length - 1)]!;
  }

  toArray(): SimRequest[] {
    const out: SimRequest[] = new Array(this.length);
    for (let i = 0; i < this.length; i++) out[i] = this.at(i);
    return out;
  }

  /** Replaces the contents in the given order (after a scheduler's stable sort). */
  replace(items: readonly SimRequest[]): void {
    for (let i = 0; i < items.length; i++) this.buf[(this.head + i) & (this.buf.length - 1)] = items[i];
  }

  private grow(): void {
    const old = this.buf;
    const next: (SimRequest | undefined)[] = new Array(old.length * 2);
    for (let i = 0; i < this.length; i++) next[i] = old[(this.head + i) & (old.length - 1)];
    this.buf = next;
    this.head = 0;
  }
}
