/**
 * Prefix key → block ID, as a Map with Map's semantics (set overwrites, delete by key),
 * stored in typed arrays: open addressing with linear probing and backward-shift
 * deletion. The KV cache sets or deletes a key for most blocks it fills or reuses, and a
 * Map boxes every 53-bit key on the heap; this keeps the keys unboxed.
 */
const EMPTY = -1;

export class KeyIndex {
  size = 0;
  private keys: Float64Array;
  private vals: Int32Array;
  private mask: number;

  /** `expected`: how many keys it will usually hold (the KV cache: its block count). */
  constructor(expected: number) {
    let cap = 16;
    while (cap < 2 * expected) cap *= 2;
    this.keys = new Float64Array(cap);
    this.vals = new Int32Array(cap).fill(EMPTY);
    this.mask = cap - 1;
  }

  /** The block under `key`, or -1. */
  get(key: number): number {
    const i = this.find(key);
    return i < 0 ? EMPTY : this.vals[i]!;
  }

  has(key: number): boolean {
    return this.find(key) >= 0;
  }

  /** `block` must be ≥ 0. */
  set(key: number, block: number): void {
    const { keys, vals, mask } = this;
    let i = home(key, mask);
    while (vals[i] !== EMPTY) {
      if (keys[i] === key) {
        vals[i] = block;
        return;
      }
      i = (i + 1) & mask;
    }
    keys[i] = key;
    vals[i] = block;
    if (++this.size * 2 > mask + 1) this.grow();
  }

  delete(key: number): void {
    let i = this.find(key);
    if (i < 0) return;
    const { keys, vals, mask } = this;
    // Shift back every later entry of the probe run that may move into the hole.
    let j = i;
    for (;;) {
      j = (j + 1) & mask;
      if (vals[j] === EMPTY) break;
      if (((j - home(keys[j]!, mask)) & mask) >= ((j - i) & mask)) {
        keys[i] = keys[j]!;
        vals[i] = vals[j]!;
        i = j;
      }
    }
    vals[i] = EMPTY;
    this.size--;
  }

  private find(key: number): number {
    const { keys, vals, mask } = this;
    let i = home(key, mask);
    while (vals[i] !== EMPTY) {
      if (keys[i] === key) return i;
      i = (i + 1) & mask;
    }
    return -1;
  }

  private grow(): void {
    const { keys, vals } = this;
    this.keys = new Float64Array(keys.length * 2);
    this.vals = new Int32Array(keys.length * 2).fill(EMPTY);
    this.mask = keys.length * 2 - 1;
    this.size = 0;
    for (let i = 0; i < keys.length; i++) if (vals[i] !== EMPTY) this.set(keys[i]!, vals[i]!);
  }
}

/** Keys are well-mixed hashes: their low 32 bits pick the slot. */
function home(key: number, mask: number): number {
  return (key >>> 0) & mask;
}

/**
 * The KV cache's prefix index: each block's key, if it has one, and the block registered
 * under each key (the last block given that key: keys are not removed from blocks that
 * lost the registration, as in BLIS).
 */
export class BlockKeyIndex {
  private readonly byKey: KeyIndex;
  private readonly keyOf: Float64Array;
  private readonly keyed: Uint8Array;

  constructor(totalBlocks: number) {
    this.byKey = new KeyIndex(totalBlocks);
    this.keyOf = new Float64Array(totalBlocks);
    this.keyed = new Uint8Array(totalBlocks);
  }

  /** The block registered under `key`, or -1. */
  blockOf(key: number): number {
    return this.byKey.get(key);
  }

  hasKey(key: number): boolean {
    return this.byKey.has(key);
  }

  isKeyed(b: number): boolean {
    return this.keyed[b] === 1;
  }

  /** Block `b`'s key (meaningful while it is keyed). */
  keyOfBlock(b: number): number {
    return this.keyOf[b]!;
  }

  assign(b: number, key: number): void {
    this.keyOf[b] = key;
    this.keyed[b] = 1;
    this.byKey.set(key, b);
  }

  /** Block `b` loses its key, and the key its registration (whichever block holds it). */
  drop(b: number): void {
    if (this.keyed[b] === 0) return;
    this.byKey.delete(this.keyOf[b]!);
    this.keyed[b] = 0;
  }
}
