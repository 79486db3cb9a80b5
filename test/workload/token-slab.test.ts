import { describe, expect, it } from 'vitest';
import { TokenSlab } from '../../src/workload/token-slab.ts';

describe('TokenSlab', () => {
  it('hands out zeroed views that never overlap, across blocks and for requests larger than a block', () => {
    const slab = new TokenSlab();
    const sizes = [0, 1, 70_000, 300, 65_000, 900, 200_000, 5];
    const views = sizes.map((n, i) => {
      const v = slab.take(n);
      expect(v.length).toBe(n);
      expect(v.every((t) => t === 0)).toBe(true);
      v.fill(i + 1);
      return v;
    });
    // Every view still holds only what was written into it.
    views.forEach((v, i) => {
      expect(v.every((t) => t === i + 1)).toBe(true);
    });
  });
});
