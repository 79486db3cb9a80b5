import { describe, expect, it } from 'vitest';
import { type GemmFallback, MfuDatabase } from '../../src/mfu/database.ts';
import type { BenchData, GemmPoint } from '../../src/mfu/tables.ts';

/**
 * Hand-made GEMM tables (not in shared/): each measured (K, N) pair has its own flat MFU,
 * k/1e5 + n/1e8, so a lookup says which pair it took.
 */
const mfuOf = (k: number, n: number) => k / 1e5 + n / 1e8;
function db(
  pairs: readonly (readonly [number, number])[],
  gemmFallback: GemmFallback,
  warnings: string[] = [],
) {
  const points: GemmPoint[] = pairs.flatMap(([k, n]) =>
    [1, 4096].map((m) => ({ m, k, n, mfu: mfuOf(k, n) })),
  );
  const data: BenchData = { gemm: { source: 'hand-made', points }, prefill: new Map(), decode: new Map() };
  return new MfuDatabase(data, { label: 'hand', gemmFallback, onWarning: (w) => warnings.push(w) });
}
/** The (K, N) pair a lookup of K×N used, recovered from its MFU. */
function used(d: MfuDatabase, pairs: readonly (readonly [number, number])[], k: number, n: number) {
  const mfu = d.gemmMfu(64, k, n);
  return pairs.find(([pk, pn]) => mfuOf(pk, pn) === mfu);
}

const grid = [1000, 2000, 4000].flatMap((k) => [3000, 6000].map((n) => [k, n] as const));

describe('GEMM shape fallback (hand-made table)', () => {
  it.each([
    // [K, N, clamp, blis]
    [1500, 2500, [2000, 3000], [2000, 3000]], // covered: both rules take the nearest covering pair
    [500, 100, [1000, 3000], [1000, 3000]], // below every shape: the smallest
    [8000, 2500, [4000, 3000], [4000, 6000]], // K beyond: clamp keeps N's pair, BLIS takes the largest
    [1500, 9000, [2000, 6000], [4000, 6000]], // N beyond: clamp keeps K's pair
    [8000, 4500, [4000, 6000], [4000, 6000]],
    [9000, 9000, [4000, 6000], [4000, 6000]], // both beyond: the largest either way
  ] as const)('K=%i N=%i: clamp %j, blis %j', (k, n, clamp, blis) => {
    expect(used(db(grid, 'clamp'), grid, k, n)).toEqual(clamp);
    expect(used(db(grid, 'blis'), grid, k, n)).toEqual(blis);
  });

  it("the issue's shape on H100's measured pairs: K=11008 N=4096 keeps N in range (8192×6144, not 8192×11008)", () => {
    const h100 = [2048, 3584, 4096, 8192].flatMap((k) => [6144, 11008].map((n) => [k, n] as const));
    const warnings: string[] = [];
    expect(used(db(h100, 'clamp', warnings), h100, 11008, 4096)).toEqual([8192, 6144]);
    expect(used(db(h100, 'clamp'), h100, 4096, 14336)).toEqual([4096, 11008]);
    expect(used(db(h100, 'blis'), h100, 11008, 4096)).toEqual([8192, 11008]);
    expect(used(db(h100, 'blis'), h100, 4096, 14336)).toEqual([8192, 11008]);
    expect(warnings).toEqual(['hand: GEMM K=11008 N=4096 exceeds every measured shape; using K=8192 N=6144']);
  });

  it('a sparse table where no pair covers the clamped shape: the pair nearest to it', () => {
    const sparse = [
      [1000, 8000],
      [4000, 1000],
    ] as const;
    // Clamped to (4000, 5000): (4000, 1000) is 4000 away, (1000, 8000) ~4243.
    expect(used(db(sparse, 'clamp'), sparse, 5000, 5000)).toEqual([4000, 1000]);
    expect(used(db(sparse, 'blis'), sparse, 5000, 5000)).toEqual([1000, 8000]);
  });

  it('defaults to clamp', () => {
    const d = new MfuDatabase({
      gemm: { source: 'x', points: grid.map(([k, n]) => ({ m: 1, k, n, mfu: mfuOf(k, n) })) },
      prefill: new Map(),
      decode: new Map(),
    });
    expect(used(d, grid, 8000, 2500)).toEqual([4000, 3000]);
  });
});
