import { CHUNK_SEED_A, CHUNK_SEED_B, finishChunk, stepA, stepB } from './block-keys.ts';

/** A block's contents as the CPU tier copies them. */
export interface BlockContent {
  fill: number;
  stA: number;
  stB: number;
  chunk: number;
  known: boolean;
}

/**
 * What each KV block holds. Blocks keep no token lists: a block holds its fill count and
 * the incremental hash of its tokens, which is all the prefix keys need. A whole input
 * block takes the hash the request computed with its keys instead of hashing its tokens
 * a second time (`setFull`); only partly filled blocks carry the running hash.
 */
export class BlockContents {
  readonly fill: Int32Array;
  private readonly stA: Int32Array;
  private readonly stB: Int32Array;
  private readonly chunk: Float64Array;
  /** 1: `chunk` holds the block's hash (it was set whole); 0: the running hash does. */
  private readonly known: Uint8Array;

  constructor(
    totalBlocks: number,
    private readonly blockSize: number,
  ) {
    this.fill = new Int32Array(totalBlocks);
    this.stA = new Int32Array(totalBlocks);
    this.stB = new Int32Array(totalBlocks);
    this.chunk = new Float64Array(totalBlocks);
    this.known = new Uint8Array(totalBlocks);
  }

  /** Empties block `b` for new tokens. */
  clear(b: number): void {
    this.fill[b] = 0;
    this.stA[b] = CHUNK_SEED_A;
    this.stB[b] = CHUNK_SEED_B;
    this.known[b] = 0;
  }

  /** Appends src[from, from + n) to block `b` (never a block set whole: those are full). */
  append(b: number, src: Int32Array, from: number, n: number): void {
    this.hash(b, src, from, n);
    this.fill[b]! += n;
  }

  /** Takes src[from, from + n), already counted in `fill`, into block `b`'s running hash. */
  hash(b: number, src: Int32Array, from: number, n: number): void {
    let a = this.stA[b]!;
    let s = this.stB[b]!;
    for (let i = from; i < from + n; i++) {
      const t = src[i]!;
      a = stepA(a, t);
      s = stepB(s, t);
    }
    this.stA[b] = a;
    this.stB[b] = s;
  }

  /** Block `b` holds a whole block of tokens whose hash is `chunk`. */
  setFull(b: number, chunk: number): void {
    this.fill[b] = this.blockSize;
    this.chunk[b] = chunk;
    this.known[b] = 1;
  }

  /** The hash of the tokens block `b` holds. */
  chunkOf(b: number): number {
    return this.known[b] === 1 ? this.chunk[b]! : finishChunk(this.stA[b]!, this.stB[b]!, this.fill[b]!);
  }

  copy(b: number): BlockContent {
    return {
      fill: this.fill[b]!,
      stA: this.stA[b]!,
      stB: this.stB[b]!,
      chunk: this.chunk[b]!,
      known: this.known[b] === 1,
    };
  }

  restore(b: number, c: BlockContent): void {
    this.fill[b] = c.fill;
    this.stA[b] = c.stA;
    this.stB[b] = c.stB;
    this.chunk[b] = c.chunk;
    this.known[b] = c.known ? 1 : 0;
  }

  /** Offloaded: the block keeps nothing. */
  strip(b: number): void {
    this.fill[b] = 0;
    this.known[b] = 0;
  }
}
