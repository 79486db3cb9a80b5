import { describe, expect, it } from 'vitest';
import { KVCache } from '../../src/sim/kv-cache.ts';
import { req, tokens } from '../support/requests.ts';

describe('KVCache', () => {
  it('allocates prefill blocks, counts misses and conserves blocks', () => {
    const kv = new KVCache(10, 4);
    const r = req(tokens(10), [1, 2]);
    expect(kv.allocate(r, 0, 10, [])).toBe(true);
    expect(r.blocks).toEqual([0, 1, 2]);
    expect(kv.usedBlocks).toBe(3);
    expect(kv.misses).toBe(3);
    expect(kv.freeCount()).toBe(7);
    kv.release(r);
    expect(kv.usedBlocks).toBe(0);
    expect(r.blocks).toBeNull();
  });

  it('finds a released prefix as cached and pins it as hits', () => {
    const kv = new KVCache(10, 4);
    const a = req(tokens(9), [7]);
    kv.allocate(a, 0, 9, []);
    kv.release(a);
    const b = req([...tokens(8), 99, 100], [7]);
    const cached = kv.getCachedBlocks(b);
    expect(cached).toEqual([0, 1]);
    expect(kv.allocate(b, 8, 10, cached)).toBe(true);
    expect(kv.hits).toBe(2);
    expect(b.blocks!.slice(0, 2)).toEqual([0, 1]);
    // The partial third block of `a` has no key: b's third block is a fresh one.
    expect(b.blocks).toHaveLength(3);
  });

  it('evicts from the free-list head: earliest released first, a request last blocks first', () => {
    const kv = new KVCache(4, 2);
    const a = req(tokens(4, 1), [1]);
    const b = req(tokens(4, 100), [1]);
    kv.allocate(a, 0, 4, []); // blocks 0, 1
    kv.allocate(b, 0, 4, []); // blocks 2, 3
    kv.release(a); // free list: 1, 0
    const c = req(tokens(2, 500), [1]);
    kv.allocate(c, 0, 2, []); // pops block 1 (a's last): a's second block key is gone
    const again = req(tokens(4, 1), [1]);
    expect(kv.getCachedBlocks(again)).toEqual([0]);
  });

  it('rejects a prefill that cannot fit without changing anything (pre-check)', () => {
    const kv = new KVCache(2, 4);
    const r = req(tokens(12), [1]);
    expect(kv.allocate(r, 0, 12, [])).toBe(false);
    expect(kv.usedBlocks).toBe(0);
    expect(kv.misses).toBe(0);
    expect(r.blocks).toBeNull();
  });

  it('rolls back a decode allocation that runs out of blocks and leaks the old ones (BLIS §5.4)', () => {
    const kv = new KVCache(2, 2);
    const r = req(tokens(4), [5, 6, 7]);
    expect(kv.allocate(r, 0, 4, [])).toBe(true);
    r.progressIndex = 4;
    const missesBefore = kv.misses;
    expect(kv.allocate(r, 4, 5, [])).toBe(false);
    expect(kv.misses).toBe(missesBefore);
    // The request map entry is gone but its two blocks stay in use: leaked.
    expect(r.blocks).toBeNull();
    expect(kv.usedBlocks).toBe(2);
    kv.release(r);
    expect(kv.usedBlocks).toBe(2);
  });

  it('with the fix (--kv-leak fixed) a failed decode keeps the request blocks, and release frees them', () => {
    const kv = new KVCache(2, 2, 'fixed');
    const r = req(tokens(4), [5, 6, 7]);
    expect(kv.allocate(r, 0, 4, [])).toBe(true);
    const held = [...r.blocks!];
    const key = r.listKey;
    r.progressIndex = 4;
    expect(kv.allocate(r, 4, 5, [])).toBe(false);
    expect(r.blocks).toEqual(held);
    expect(r.listKey).toBe(key);
    expect(kv.usedBlocks).toBe(2);
    kv.release(r);
    expect(kv.usedBlocks).toBe(0);
    expect(kv.freeCount()).toBe(2);
  });

  it('with the fix a failed chunk after cached blocks still undoes the pins it made', () => {
    const kv = new KVCache(3, 2, 'fixed');
    const a = req(tokens(4), [1]);
    kv.allocate(a, 0, 4, []);
    kv.release(a);
    const filler = req(tokens(2, 900), [1]);
    kv.allocate(filler, 0, 2, []); // takes the free head: a's first block stays cached
    const b = req([...tokens(2), 50, 51, 52, 53], [1]);
    const cached = kv.getCachedBlocks(b);
    expect(cached).toHaveLength(1);
    // Pins 1 block, needs 2 new ones with 1 free: rolls back; b held nothing before, so no entry.
    expect(kv.allocate(b, 2, 6, cached)).toBe(false);
    expect(b.blocks).toBeNull();
    expect(kv.usedBlocks).toBe(1);
  });

  it('fills a partial block token by token during decode and keys it once full', () => {
    const kv = new KVCache(8, 4);
    const r = req(tokens(6), [10, 11, 12]);
    kv.allocate(r, 0, 6, []);
    r.progressIndex = 6;
    expect(kv.allocate(r, 6, 7, [])).toBe(true);
    r.progressIndex = 7;
    expect(kv.allocate(r, 7, 8, [])).toBe(true);
    expect(r.blocks).toHaveLength(2);
    expect(kv.misses).toBe(2);
    // A request whose input is the first 8 tokens of that sequence finds both blocks.
    kv.release(r);
    const probe = req([...tokens(6), 10, 11], [1]);
    expect(kv.getCachedBlocks(probe)).toHaveLength(2);
  });

  it('keys a block filled by decode tokens after a preemption by its own tokens, not by those of before', () => {
    const kv = new KVCache(3, 4);
    const r = req(tokens(6), [20, 21, 22, 23]);
    const decode = (from: number, to: number) => {
      for (let p = from; p < to; p++) {
        r.progressIndex = p;
        expect(kv.allocate(r, p, p + 1, [])).toBe(true);
      }
    };
    kv.allocate(r, 0, 6, []);
    decode(6, 10); // 20, 21 fill the second block; 22, 23 start the third
    const [first, second] = r.blocks!;
    // Preempted: all released; the first block is found again and the rest recomputed.
    kv.release(r);
    r.progressIndex = 0;
    const cached = kv.getCachedBlocks(r);
    expect(cached).toEqual([first]);
    kv.allocate(r, 4, 6, cached);
    decode(6, 8); // 20, 21 fill the new second block
    const again = r.blocks![1]!;
    expect(again).not.toBe(second);
    // The sequence's two blocks are found, the second under the block filled last.
    const probe = req([...tokens(6), 20, 21, 99], [1]);
    expect(kv.getCachedBlocks(probe)).toEqual([first, again]);
  });

  it('keeps hits and misses consistent with the hit rate', () => {
    const kv = new KVCache(100, 4);
    const a = req(tokens(16), [1]);
    kv.allocate(a, 0, 16, []);
    const b = req(tokens(16), [1]);
    const cached = kv.getCachedBlocks(b);
    kv.allocate(b, 16, 16, cached); // whole input cached and aligned: nothing is pinned (edge case)
    expect(b.blocks).toBeNull();
    expect(kv.hitRate()).toBe(0);
    const c = req([...tokens(16), 42], [1]);
    kv.allocate(c, 16, 17, kv.getCachedBlocks(c));
    expect(kv.hits).toBe(4);
    expect(kv.hitRate()).toBeCloseTo(4 / 9, 12);
  });
});
