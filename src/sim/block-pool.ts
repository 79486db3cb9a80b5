/**
 * The KV blocks' reference counts and their LRU free list (reference §5.1): a doubly
 * linked list over block IDs in typed arrays. Allocation takes the head; a block whose
 * last holder releases it goes to the tail; a rolled-back allocation returns it to the head.
 */
export class BlockPool {
  used = 0;
  /** The first free block (the next one taken), or -1. */
  head: number;
  private tail: number;
  private readonly next: Int32Array;
  private readonly prev: Int32Array;
  private readonly refCount: Int32Array;
  private readonly inUse: Uint8Array;

  /** Every block free, in ID order. */
  constructor(totalBlocks: number) {
    this.next = new Int32Array(totalBlocks);
    this.prev = new Int32Array(totalBlocks);
    this.refCount = new Int32Array(totalBlocks);
    this.inUse = new Uint8Array(totalBlocks);
    for (let i = 0; i < totalBlocks; i++) {
      this.next[i] = i + 1 < totalBlocks ? i + 1 : -1;
      this.prev[i] = i - 1;
    }
    this.head = totalBlocks > 0 ? 0 : -1;
    this.tail = totalBlocks - 1;
  }

  /** The free block after `b` (from the head towards the tail), or -1. */
  nextFree(b: number): number {
    return this.next[b]!;
  }

  /** Free block `b` is taken by one request. */
  take(b: number): void {
    this.unlink(b);
    this.refCount[b] = 1;
    this.inUse[b] = 1;
    this.used++;
  }

  /** Undoes `take(b)`: `b` is free again, at the head. */
  untake(b: number): void {
    this.refCount[b] = 0;
    this.inUse[b] = 0;
    this.used--;
    this.linkHead(b);
  }

  /** One more request holds block `c` (a cached block, free or not); returns whether it was in use. */
  pin(c: number): boolean {
    const wasInUse = this.inUse[c] === 1;
    this.refCount[c]!++;
    if (!wasInUse) {
      this.inUse[c] = 1;
      this.used++;
      this.unlink(c);
    }
    return wasInUse;
  }

  /** Undoes `pin(c)`. */
  unpin(c: number, wasInUse: boolean): void {
    this.refCount[c]!--;
    if (!wasInUse && this.refCount[c] === 0) {
      this.inUse[c] = 0;
      this.used--;
      this.linkTail(c);
    }
  }

  /** One request fewer holds block `b`; after the last it goes to the free tail. */
  unref(b: number): void {
    if (--this.refCount[b]! === 0) {
      this.inUse[b] = 0;
      this.used--;
      this.linkTail(b);
    }
  }

  /** Free block `b` moves to the tail. */
  toTail(b: number): void {
    this.unlink(b);
    this.linkTail(b);
  }

  private unlink(b: number): void {
    const p = this.prev[b]!;
    const n = this.next[b]!;
    if (p >= 0) this.next[p] = n;
    else this.head = n;
    if (n >= 0) this.prev[n] = p;
    else this.tail = p;
    this.prev[b] = -1;
    this.next[b] = -1;
  }

  private linkTail(b: number): void {
    this.prev[b] = this.tail;
    this.next[b] = -1;
    if (this.tail >= 0) this.next[this.tail] = b;
    else this.head = b;
    this.tail = b;
  }

  private linkHead(b: number): void {
    this.next[b] = this.head;
    this.prev[b] = -1;
    if (this.head >= 0) this.prev[this.head] = b;
    else this.tail = b;
    this.head = b;
  }
}
