import { describe, expect, it } from 'vitest';
import { chunkHash, fullBlocks, ROOT_KEY, sequenceKey } from '../../src/sim/block-keys.ts';
import { GoRand } from '../../src/sim/rng.ts';

const tokens = (rng: GoRand, n: number) => Int32Array.from({ length: n }, () => rng.intn(1000));

describe('fullBlocks', () => {
  it('gives each full block its own hash and the key of the prefix it ends', () => {
    const t = tokens(new GoRand(1), 70);
    const { keys, chunks, blockSize } = fullBlocks(t, 16);
    expect(blockSize).toBe(16);
    expect(keys).toHaveLength(4);
    for (let i = 0; i < 4; i++) {
      expect(chunks[i]).toBe(chunkHash(t, 16 * i, 16 * (i + 1)));
      expect(keys[i]).toBe(sequenceKey(t, 16 * (i + 1), 16));
    }
    expect(fullBlocks(t.subarray(0, 15), 16).keys).toHaveLength(0);
    expect(ROOT_KEY).toBe(sequenceKey(t, 0, 16));
  });

  it('gives the same hashes when taken from a like input, however much of it matches', () => {
    const rng = new GoRand(2);
    const base = tokens(rng, 200);
    const variants = [
      base.slice(), // all equal
      Int32Array.from([...base.subarray(0, 64), ...tokens(rng, 100)]), // 4 blocks shared
      Int32Array.from([...base.subarray(0, 70), ...tokens(rng, 10)]), // shares a partial block too
      Int32Array.from([999_999, ...base.subarray(1)]), // differs in the first token
      // Differ only in the last token of a block (block 0 of 16, block 3 of 7).
      ...[15, 27].map((at) => base.map((t, i) => (i === at ? t + 1 : t))),
      base.subarray(0, 40), // shorter
      Int32Array.from([...base, ...tokens(rng, 100)]), // longer
    ];
    for (const bs of [16, 7]) {
      const like = { tokens: base, blocks: fullBlocks(base, bs) };
      for (const v of variants) expect(fullBlocks(v, bs, like)).toEqual(fullBlocks(v, bs));
    }
    // Hashed with another block size: nothing is taken from it.
    const other = { tokens: base, blocks: fullBlocks(base, 8) };
    expect(fullBlocks(base, 16, other)).toEqual(fullBlocks(base, 16));
  });
});
