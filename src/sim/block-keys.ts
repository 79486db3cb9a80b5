/**
 * Prefix-cache keys. BLIS hashes the whole token prefix with SHA-256 for every block
 * (75 % of its run time). Any collision-free key with prefix semantics gives the same
 * hits and misses (reference §5.2), so here a block's key is chained: the key of a
 * sequence is a fold of `combine` over the hashes of its block-sized chunks. Keys are
 * 53-bit numbers so they can be Map keys without allocation.
 */

const TWO_32 = 4294967296;
const TWO_21 = 2097152;
export const ROOT_KEY = 0x1b873593;

function fmix(h: number): number {
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  return h ^ (h >>> 16);
}

/** Incremental chunk hash state: two 32-bit lanes. */
export const CHUNK_SEED_A = 0x243f6a88;
export const CHUNK_SEED_B = 0x13198a2e;

export function stepA(a: number, token: number): number {
  const x = Math.imul(a ^ token, 0x9e3779b1);
  return (x << 15) | (x >>> 17);
}

export function stepB(b: number, token: number): number {
  const x = Math.imul(b + token, 0x85ebca77) ^ (b >>> 13);
  return (x << 11) | (x >>> 21);
}

/** Finalises a chunk of `len` tokens into a 53-bit hash. */
export function finishChunk(a: number, b: number, len: number): number {
  const ha = fmix(a ^ Math.imul(len, 0x27d4eb2f)) >>> 0;
  const hb = fmix(b ^ len) >>> 0;
  return ha * TWO_21 + (hb >>> 11);
}

/** Key of (prefix key, next chunk hash). */
export function combine(prefixKey: number, chunkHash: number): number {
  const pLo = prefixKey >>> 0;
  const pHi = Math.floor(prefixKey / TWO_32);
  const cLo = chunkHash >>> 0;
  const cHi = Math.floor(chunkHash / TWO_32);
  let a = fmix(Math.imul(pLo ^ 0x6a09e667, 0xcc9e2d51) ^ cHi);
  let b = fmix(Math.imul(cLo ^ 0xbb67ae85, 0x1b873593) ^ pHi);
  a = fmix(a + b);
  b = fmix(b ^ Math.imul(a, 0x5bd1e995));
  return (a >>> 0) * TWO_21 + ((b >>> 0) >>> 11);
}

/** Hash of tokens[from, to) as one chunk. */
export function chunkHash(tokens: Int32Array, from: number, to: number): number {
  let a = CHUNK_SEED_A;
  let b = CHUNK_SEED_B;
  for (let i = from; i < to; i++) {
    const t = tokens[i]!;
    a = stepA(a, t);
    b = stepB(b, t);
  }
  return finishChunk(a, b, to - from);
}

/** Key of tokens[0, end) split into chunks of `blockSize` (last chunk may be partial). */
export function sequenceKey(tokens: Int32Array, end: number, blockSize: number): number {
  let key = ROOT_KEY;
  for (let from = 0; from < end; from += blockSize) {
    key = combine(key, chunkHash(tokens, from, Math.min(from + blockSize, end)));
  }
  return key;
}

/**
 * An input's full blocks, hashed once per request: keys[i] is the key of
 * tokens[0, (i+1)·blockSize) and chunks[i] the hash of block i alone, which the KV cache
 * takes as the block's content instead of hashing its tokens again.
 */
export interface FullBlocks {
  blockSize: number;
  keys: Float64Array;
  chunks: Float64Array;
}

/** An input whose full blocks were hashed: a later input that starts the same way shares them. */
export interface HashedInput {
  tokens: Int32Array;
  blocks: FullBlocks;
}

/**
 * The full blocks of `tokens`. The leading blocks whose tokens equal those of `like`
 * (hashed with the same block size) take its hashes: comparing a block costs far less
 * than hashing it, and consecutive requests often share a prefix.
 */
export function fullBlocks(
  tokens: Int32Array,
  blockSize: number,
  like: HashedInput | null = null,
): FullBlocks {
  const n = Math.floor(tokens.length / blockSize);
  const both = new Float64Array(2 * n);
  const keys = both.subarray(0, n);
  const chunks = both.subarray(n);
  let key = ROOT_KEY;
  let i = 0;
  if (like !== null && like.blocks.blockSize === blockSize) {
    const same = Math.min(n, like.blocks.keys.length);
    for (; i < same && sameBlock(tokens, like.tokens, i * blockSize, blockSize); i++) {
      key = like.blocks.keys[i]!;
      keys[i] = key;
      chunks[i] = like.blocks.chunks[i]!;
    }
  }
  for (; i < n; i++) {
    const chunk = chunkHash(tokens, i * blockSize, (i + 1) * blockSize);
    key = combine(key, chunk);
    keys[i] = key;
    chunks[i] = chunk;
  }
  return { blockSize, keys, chunks };
}

function sameBlock(a: Int32Array, b: Int32Array, from: number, n: number): boolean {
  for (let i = from; i < from + n; i++) if (a[i] !== b[i]) return false;
  return true;
}
