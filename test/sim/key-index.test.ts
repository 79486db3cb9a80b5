import { describe, expect, it } from 'vitest';
import { ROOT_KEY, sequenceKey } from '../../src/sim/block-keys.ts';
import { KeyIndex } from '../../src/sim/key-index.ts';
import { GoRand } from '../../src/sim/rng.ts';

/** Random set/delete/get against a Map; keys from a small pool so that overwrites, misses and long probe runs occur. */
function replay(keys: readonly number[], ops: number, expected: number, seed: number): void {
  const rng = new GoRand(seed);
  const index = new KeyIndex(expected);
  const map = new Map<number, number>();
  for (let n = 0; n < ops; n++) {
    const key = keys[rng.intn(keys.length)]!;
    const op = rng.intn(3);
    if (op === 0) {
      const v = rng.intn(1000);
      index.set(key, v);
      map.set(key, v);
    } else if (op === 1) {
      index.delete(key);
      map.delete(key);
    }
    expect(index.get(key)).toBe(map.get(key) ?? -1);
    expect(index.has(key)).toBe(map.has(key));
    expect(index.size).toBe(map.size);
  }
  for (const k of keys) expect(index.get(k)).toBe(map.get(k) ?? -1);
}

describe('KeyIndex', () => {
  const blockKeys = Array.from({ length: 300 }, (_, i) => sequenceKey(Int32Array.of(i, i * 7), 2, 16));

  it('answers like a Map under random sets, overwrites and deletes (block keys)', () => {
    replay(blockKeys, 20_000, 300, 1);
  });

  it('answers like a Map when it must grow past its expected size', () => {
    replay(blockKeys, 20_000, 4, 2);
  });

  it('answers like a Map when every key lands on the same few slots (backward-shift deletion)', () => {
    // Equal low 32 bits: one probe run from slot 125 of 128, wrapping around the end.
    const colliding = Array.from({ length: 40 }, (_, i) => 125 + i * 2 ** 32);
    replay(colliding, 20_000, 40, 3);
    replay([ROOT_KEY, 0, 2 ** 53 - 1, ...colliding.slice(0, 10)], 5_000, 2, 4);
  });
});
