import {
  CHUNK_SEED_A,
  CHUNK_SEED_B,
  combine,
  finishChunk,
  ROOT_KEY,
  sequenceKey,
  stepA,
  stepB,
} from './block-keys.ts';
import { KeyIndex } from './key-index.ts';
import type { CpuTier } from './kv-tier.ts';
import type { SimRequest } from './request.ts';

/**
 * How a failed allocation treats the blocks a request already held: `v0.6.1` drops the
 * request's block list, orphaning them (the leak of reference §5.4, kept for parity);
 * `fixed` keeps the list, as later BLIS releases do, so they are freed on release.
 */
export const KV_LEAK_MODES = ['v0.6.1', 'fixed'] as const;
export type KvLeakMode = (typeof KV_LEAK_MODES)[number];

/**
 * BLIS v0.6.1 single-tier KV cache (reference §5): a block pool with an LRU free list,
 * prefix caching by block key, allocation with rollback (and its leak), release.
 * Blocks keep no token lists: a block holds its fill count and an incremental chunk
 * hash, which is all the prefix keys need.
 */
export class KVCache {
  readonly totalBlocks: number;
  readonly blockSize: number;
  usedBlocks = 0;
  hits = 0;
  misses = 0;

  private readonly refCount: Int32Array;
  private readonly inUse: Uint8Array;
  private readonly hasHash: Uint8Array;
  private readonly hash: Float64Array;
  private readonly fill: Int32Array;
  private readonly stA: Int32Array;
  private readonly stB: Int32Array;
  private readonly next: Int32Array;
  private readonly prev: Int32Array;
  private head: number;
  private tail: number;
  private readonly hashToBlock: KeyIndex;
  /** CPU tier when `--kv-cpu-blocks` > 0. */
  tier: CpuTier | null = null;

  // Rollback scratch, reused between calls (counters instead of resizing arrays: hot path).
  private readonly newBlocks: number[] = [];
  private readonly oldHashes: number[] = [];
  private readonly oldHad: boolean[] = [];
  private nNew = 0;
  private readonly pinned: number[] = [];
  private readonly pinnedWasInUse: boolean[] = [];
  private nPinned = 0;

  /** Keep a request's earlier blocks when an allocation rolls back (`--kv-leak fixed`). */
  private readonly keepOnRollback: boolean;

  constructor(totalBlocks: number, blockSize: number, leak: KvLeakMode = 'v0.6.1') {
    this.totalBlocks = totalBlocks;
    this.keepOnRollback = leak === 'fixed';
    this.blockSize = blockSize;
    this.refCount = new Int32Array(totalBlocks);
    this.inUse = new Uint8Array(totalBlocks);
    this.hasHash = new Uint8Array(totalBlocks);
    this.hash = new Float64Array(totalBlocks);
    this.fill = new Int32Array(totalBlocks);
    this.stA = new Int32Array(totalBlocks);
    this.stB = new Int32Array(totalBlocks);
    this.next = new Int32Array(totalBlocks);
    this.prev = new Int32Array(totalBlocks);
    this.hashToBlock = new KeyIndex(totalBlocks);
    for (let i = 0; i < totalBlocks; i++) {
      this.next[i] = i + 1 < totalBlocks ? i + 1 : -1;
      this.prev[i] = i - 1;
    }
    this.head = totalBlocks > 0 ? 0 : -1;
    this.tail = totalBlocks - 1;
  }

  freeCount(): number {
    return this.totalBlocks - this.usedBlocks;
  }

  /** Block IDs of the longest cached prefix of the request's input (a pure query). */
  getCachedBlocks(r: SimRequest): number[] {
    const keys = r.fullInputKeys(this.blockSize);
    const found: number[] = [];
    for (let i = 0; i < keys.length; i++) {
      const b = this.hashToBlock.get(keys[i]!);
      if (b < 0) break;
      found.push(b);
    }
    return found;
  }

  /** CacheHitRate: hits/(hits + misses), CPU-tier hits and misses included. */
  hitRate(): number {
    const hits = this.hits + (this.tier?.cpuHits ?? 0);
    const all = hits + this.misses + (this.tier?.cpuMisses ?? 0);
    return all > 0 ? hits / all : 0;
  }

  /** AllocateKVBlocks(req, start, end, cached), end exclusive (§5.4), with the CPU tier's retry. */
  allocate(r: SimRequest, start: number, end: number, cached: readonly number[]): boolean {
    if (r.progressIndex >= r.inputLen && this.appendDecodeToken(r, start)) return true;
    if (this.allocateOnce(r, start, end, cached)) return true;
    if (this.tier === null || this.tier.reload(this) === 0) return false;
    // More of the prefix may be cached now: retry with the shorter range if so.
    if (r.progressIndex < r.inputLen && cached.length > 0) {
      const now = this.getCachedBlocks(r);
      const c = now.length * this.blockSize;
      if (now.length > cached.length && c <= end) return this.allocateOnce(r, c, end, now);
    }
    return this.allocateOnce(r, start, end, cached);
  }

  /**
   * allocateOnce's result for a decode token that fits the request's partly filled last
   * block (most decode steps), without its rollback bookkeeping; false, changing nothing,
   * when it does not fit.
   */
  private appendDecodeToken(r: SimRequest, start: number): boolean {
    const list = r.blocks;
    if (list === null || list.length === 0) return false;
    const b = list[list.length - 1]!;
    const f = this.fill[b]!;
    if (f === 0 || f >= this.blockSize) return false;
    const t = r.output![start - r.inputLen]!;
    this.stA[b] = stepA(this.stA[b]!, t);
    this.stB[b] = stepB(this.stB[b]!, t);
    this.fill[b] = f + 1;
    if (f + 1 === this.blockSize) this.setHash(b, this.extendListKey(r, b));
    return true;
  }

  private allocateOnce(r: SimRequest, start: number, end: number, cached: readonly number[]): boolean {
    const bs = this.blockSize;
    const prefill = r.progressIndex < r.inputLen;
    let src: Int32Array;
    let from: number;
    let count: number;
    if (prefill) {
      src = r.input!;
      from = start;
      count = end - start;
      if (Math.ceil(count / bs) > this.freeCount()) return false;
    } else {
      src = r.output!;
      from = start - r.inputLen;
      count = 1;
    }
    this.nNew = 0;
    this.nPinned = 0;
    const held = r.blocks !== null ? r.blocks.length : -1;
    const heldKey = r.listKey;
    let pos = 0;
    while (pos < count) {
      let list = r.blocks;
      let latest = -1;
      if (list !== null) {
        latest = list[list.length - 1]!;
      } else {
        list = [];
        r.blocks = list;
        r.listKey = ROOT_KEY;
        for (const c of cached) this.pin(r, list, c);
      }
      if (latest >= 0 && this.fill[latest]! > 0 && this.fill[latest]! < bs) {
        const take = Math.min(bs - this.fill[latest]!, count - pos);
        this.append(latest, src, from + pos, take);
        pos += take;
        if (this.fill[latest] === bs) this.setHash(latest, this.extendListKey(r, latest));
        continue;
      }
      const need = Math.ceil((count - pos) / bs);
      for (let i = 0; i < need; i++) {
        const b = this.head;
        if (b < 0) {
          this.rollback(r, held, heldKey);
          return false;
        }
        this.oldHad[this.nNew] = this.hasHash[b] === 1;
        this.oldHashes[this.nNew] = this.hash[b]!;
        this.unlinkFree(b);
        if (this.hasHash[b] === 1) {
          this.hashToBlock.delete(this.hash[b]!);
          this.hasHash[b] = 0;
        }
        this.fill[b] = 0;
        this.stA[b] = CHUNK_SEED_A;
        this.stB[b] = CHUNK_SEED_B;
        const take = Math.min(bs, count - pos);
        this.append(b, src, from + pos, take);
        pos += take;
        this.refCount[b] = 1;
        this.inUse[b] = 1;
        this.usedBlocks++;
        this.misses++;
        if (this.fill[b] === bs) {
          this.extendListKey(r, b);
          if (prefill) this.setHash(b, inputKeyAt(r, start + pos, bs));
        }
        list.push(b);
        this.newBlocks[this.nNew++] = b;
      }
    }
    return true;
  }

  /** ReleaseKVBlocks: blocks from last to first go to the free tail, keeping their keys. */
  release(r: SimRequest): void {
    const list = r.blocks;
    r.blocks = null;
    r.listKey = ROOT_KEY;
    if (list === null) return;
    for (let i = list.length - 1; i >= 0; i--) {
      const b = list[i]!;
      if (--this.refCount[b]! === 0) {
        this.inUse[b] = 0;
        this.usedBlocks--;
        this.linkTail(b);
      }
    }
    this.tier?.afterRelease(this);
  }

  // --- CPU-tier support (kv-tier.ts) ---

  hasKey(key: number): boolean {
    return this.hashToBlock.has(key);
  }

  /** First block on the free list (from the head) that has a key, or -1. */
  firstFreeHashed(): number {
    for (let b = this.head; b >= 0; b = this.next[b]!) if (this.hasHash[b] === 1) return b;
    return -1;
  }

  blockContent(b: number): { hash: number; stA: number; stB: number; fill: number } {
    return { hash: this.hash[b]!, stA: this.stA[b]!, stB: this.stB[b]!, fill: this.fill[b]! };
  }

  /** Offloaded: the block loses its key and contents and goes to the free tail. */
  stripToTail(b: number): void {
    this.hashToBlock.delete(this.hash[b]!);
    this.hasHash[b] = 0;
    this.fill[b] = 0;
    this.unlinkFree(b);
    this.linkTail(b);
  }

  /** Reloaded: pops a free block, refills it and registers its key; false if none is free. */
  restoreBlock(key: number, a: number, s: number, fill: number): boolean {
    const b = this.head;
    if (b < 0) return false;
    this.unlinkFree(b);
    if (this.hasHash[b] === 1) this.hashToBlock.delete(this.hash[b]!);
    this.stA[b] = a;
    this.stB[b] = s;
    this.fill[b] = fill;
    this.setHash(b, key);
    this.linkTail(b);
    return true;
  }

  private pin(r: SimRequest, list: number[], c: number): void {
    const wasInUse = this.inUse[c] === 1;
    this.refCount[c]!++;
    if (!wasInUse) {
      this.inUse[c] = 1;
      this.usedBlocks++;
      this.unlinkFree(c);
    }
    this.hits++;
    list.push(c);
    this.extendListKey(r, c);
    this.pinned[this.nPinned] = c;
    this.pinnedWasInUse[this.nPinned++] = wasInUse;
  }

  private append(b: number, src: Int32Array, from: number, n: number): void {
    let a = this.stA[b]!;
    let s = this.stB[b]!;
    for (let i = from; i < from + n; i++) {
      const t = src[i]!;
      a = stepA(a, t);
      s = stepB(s, t);
    }
    this.stA[b] = a;
    this.stB[b] = s;
    this.fill[b]! += n;
  }

  /** Key of the concatenation of the request's blocks up to `b` (its newest block). */
  private extendListKey(r: SimRequest, b: number): number {
    const key = combine(r.listKey, finishChunk(this.stA[b]!, this.stB[b]!, this.fill[b]!));
    r.listKey = key;
    return key;
  }

  private setHash(b: number, key: number): void {
    this.hash[b] = key;
    this.hasHash[b] = 1;
    this.hashToBlock.set(key, b);
  }

  /** `held`: blocks the request had before this call (-1: none, its list was created here). */
  private rollback(r: SimRequest, held: number, heldKey: number): void {
    for (let i = this.nNew - 1; i >= 0; i--) {
      const b = this.newBlocks[i]!;
      if (this.hasHash[b] === 1) this.hashToBlock.delete(this.hash[b]!);
      this.hasHash[b] = 0;
      if (this.oldHad[i]) this.setHash(b, this.oldHashes[i]!);
      this.refCount[b] = 0;
      this.inUse[b] = 0;
      this.usedBlocks--;
      this.misses--;
      this.linkHead(b);
    }
    for (let i = this.nPinned - 1; i >= 0; i--) {
      const c = this.pinned[i]!;
      this.refCount[c]!--;
      this.hits--;
      if (!this.pinnedWasInUse[i] && this.refCount[c] === 0) {
        this.inUse[c] = 0;
        this.usedBlocks--;
        this.linkTail(c);
      }
    }
    if (held >= 0 && this.keepOnRollback) {
      // Fixed: the request keeps what it held, and the key of exactly those blocks.
      r.blocks!.length = held;
      r.listKey = heldKey;
      return;
    }
    // BLIS deletes the whole entry, orphaning blocks the request held before (the leak, §5.4).
    r.blocks = null;
    r.listKey = ROOT_KEY;
  }

  private unlinkFree(b: number): void {
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

/** Key of input[0, p): a precomputed full-block key when aligned. */
function inputKeyAt(r: SimRequest, p: number, bs: number): number {
  if (p % bs === 0) return r.fullInputKeys(bs)[p / bs - 1]!;
  return sequenceKey(r.input!, p, bs);
}
