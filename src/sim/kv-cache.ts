import { AllocationJournal } from './allocation-journal.ts';
import { type BlockContent, BlockContents } from './block-content.ts';
import { combine, type HashedInput, ROOT_KEY, sequenceKey } from './block-keys.ts';
import { BlockPool } from './block-pool.ts';
import { BlockKeyIndex } from './key-index.ts';
import type { CpuTier, GpuBlocks } from './kv-tier.ts';
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
 */
export class KVCache implements GpuBlocks {
  readonly totalBlocks: number;
  readonly blockSize: number;
  hits = 0;
  misses = 0;

  private readonly pool: BlockPool;
  private readonly content: BlockContents;
  private readonly fill: Int32Array;
  private readonly index: BlockKeyIndex;
  /** The input hashed last, whose leading blocks the next request may share. */
  private recent: HashedInput | null = null;
  /** CPU tier when `--kv-cpu-blocks` > 0. */
  tier: CpuTier | null = null;
  private readonly journal: AllocationJournal;
  /** Keep a request's earlier blocks when an allocation rolls back (`--kv-leak fixed`). */
  private readonly keepOnRollback: boolean;

  constructor(totalBlocks: number, blockSize: number, leak: KvLeakMode = 'v0.6.1') {
    this.totalBlocks = totalBlocks;
    this.keepOnRollback = leak === 'fixed';
    this.blockSize = blockSize;
    this.pool = new BlockPool(totalBlocks);
    this.content = new BlockContents(totalBlocks, blockSize);
    this.fill = this.content.fill;
    this.index = new BlockKeyIndex(totalBlocks);
    this.journal = new AllocationJournal(this.pool, this.index);
  }

  get usedBlocks(): number {
    return this.pool.used;
  }
  freeCount(): number {
    return this.totalBlocks - this.pool.used;
  }

  /** vLLM's prefix caching; off (`--no-enable-prefix-caching`), no request reuses another's blocks. */
  prefixCaching = true;

  /** Block IDs of the longest cached prefix of the request's input (a pure query). */
  getCachedBlocks(r: SimRequest): number[] {
    if (!this.prefixCaching) return [];
    const blocks = r.fullInputBlocks(this.blockSize, this.recent);
    if (this.recent?.blocks !== blocks) this.recent = { tokens: r.input!, blocks };
    const keys = blocks.keys;
    const found: number[] = [];
    for (let i = 0; i < keys.length; i++) {
      const b = this.index.blockOf(keys[i]!);
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
   * allocateOnce's result for a decode token of a request that holds blocks, without its
   * rollback bookkeeping; false, changing nothing, where allocateOnce must run (no free
   * block for a new one). A block's hash takes its decode tokens when it fills (nothing
   * reads it before): one pass over them, not a load and hash step per step.
   */
  private appendDecodeToken(r: SimRequest, start: number): boolean {
    const list = r.blocks;
    if (list === null || list.length === 0) return false;
    const bs = this.blockSize;
    let b = list[list.length - 1]!;
    const f = this.fill[b]!;
    if (f === 0) return false;
    if (f === bs) {
      b = this.pool.head; // the last block is full: the token starts a new one
      if (b < 0) return false;
      this.pool.take(b);
      this.index.drop(b);
      this.content.clear(b);
      this.misses++;
      list.push(b);
    }
    const at = start - r.inputLen;
    if (r.unhashedFrom < 0) r.unhashedFrom = at;
    this.fill[b]!++;
    if (this.fill[b] === bs) {
      this.content.hash(b, r.output!, r.unhashedFrom, at + 1 - r.unhashedFrom);
      r.unhashedFrom = -1;
      this.extendListKey(r, b);
      if (f !== bs) this.index.assign(b, r.listKey);
    }
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
    this.journal.start();
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
        for (let i = 0; i < cached.length; i++) this.pin(r, list, cached[i]!, i);
      }
      if (latest >= 0 && this.fill[latest]! > 0 && this.fill[latest]! < bs) {
        const take = Math.min(bs - this.fill[latest]!, count - pos);
        this.content.append(latest, src, from + pos, take);
        pos += take;
        if (this.fill[latest] === bs) this.index.assign(latest, this.extendListKey(r, latest));
        continue;
      }
      const need = Math.ceil((count - pos) / bs);
      for (let i = 0; i < need; i++) {
        const b = this.pool.head;
        if (b < 0) {
          this.rollback(r, held, heldKey);
          return false;
        }
        this.journal.take(b);
        this.pool.take(b);
        this.index.drop(b);
        const take = Math.min(bs, count - pos);
        const at = from + pos;
        if (prefill && take === bs && at % bs === 0) this.fillInputBlock(r, b, at / bs);
        else {
          this.content.clear(b);
          this.content.append(b, src, at, take);
          if (this.fill[b] === bs) {
            this.extendListKey(r, b);
            if (prefill) this.index.assign(b, inputKeyAt(r, at + take, bs));
          }
        }
        pos += take;
        this.misses++;
        list.push(b);
      }
    }
    return true;
  }

  /** ReleaseKVBlocks: blocks from last to first go to the free tail, keeping their keys. */
  release(r: SimRequest): void {
    const list = r.blocks;
    r.blocks = null;
    r.listKey = ROOT_KEY;
    r.unhashedFrom = -1;
    if (list === null) return;
    for (let i = list.length - 1; i >= 0; i--) this.pool.unref(list[i]!);
    this.tier?.afterRelease(this);
  }

  // --- CPU-tier support (kv-tier.ts) ---

  hasKey(key: number): boolean {
    return this.index.hasKey(key);
  }

  /** First block on the free list (from the head) that has a key, or -1. */
  firstFreeHashed(): number {
    for (let b = this.pool.head; b >= 0; b = this.pool.nextFree(b)) if (this.index.isKeyed(b)) return b;
    return -1;
  }

  blockContent(b: number): BlockContent & { hash: number } {
    return { hash: this.index.keyOfBlock(b), ...this.content.copy(b) };
  }

  /** Offloaded: the block loses its key and contents and goes to the free tail. */
  stripToTail(b: number): void {
    this.index.drop(b);
    this.content.strip(b);
    this.pool.toTail(b);
  }

  /** Reloaded: pops a free block, refills it and registers its key; false if none is free. */
  restoreBlock(key: number, content: BlockContent): boolean {
    const b = this.pool.head;
    if (b < 0) return false;
    this.index.drop(b);
    this.content.restore(b, content);
    this.index.assign(b, key);
    this.pool.toTail(b);
    return true;
  }

  /** Cached block `c`, found under the key of the request's input block `i`, joins its list. */
  private pin(r: SimRequest, list: number[], c: number, i: number): void {
    const wasInUse = this.pool.pin(c);
    this.hits++;
    list.push(c);
    this.extendInputKey(r, i, this.content.chunkOf(c));
    this.journal.pin(c, wasInUse);
  }

  /** Key of the concatenation of the request's blocks up to `b` (its newest block). */
  private extendListKey(r: SimRequest, b: number): number {
    r.listKey = combine(r.listKey, this.content.chunkOf(b));
    return r.listKey;
  }

  /**
   * New block `b` takes the request's whole input block `i`, whose hash and key the
   * request already has: the effect of hashing its tokens, without hashing them again.
   */
  private fillInputBlock(r: SimRequest, b: number, i: number): void {
    const { keys, chunks } = r.fullInputBlocks(this.blockSize);
    this.content.setFull(b, chunks[i]!);
    this.extendInputKey(r, i, chunks[i]!);
    this.index.assign(b, keys[i]!);
  }

  /**
   * extendListKey for a block of hash `chunk` in the place of the request's input block
   * `i`. When the blocks so far hold the input's first i blocks and this one holds block i
   * (the usual case), the key is the input's own, known without combining.
   */
  private extendInputKey(r: SimRequest, i: number, chunk: number): void {
    const { keys, chunks } = r.fullInputBlocks(this.blockSize);
    const same = chunk === chunks[i] && r.listKey === (i === 0 ? ROOT_KEY : keys[i - 1]);
    r.listKey = same ? keys[i]! : combine(r.listKey, chunk);
  }

  /** `held`: blocks the request had before this call (-1: none, its list was created here). */
  private rollback(r: SimRequest, held: number, heldKey: number): void {
    this.journal.undo();
    this.misses -= this.journal.taken;
    this.hits -= this.journal.pinned;
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
}

/** Key of input[0, p): a precomputed full-block key when aligned. */
function inputKeyAt(r: SimRequest, p: number, bs: number): number {
  if (p % bs === 0) return r.fullInputKeys(bs)[p / bs - 1]!;
  return sequenceKey(r.input!, p, bs);
}
