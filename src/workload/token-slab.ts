/**
 * Token arrays handed out as views of shared blocks: one allocation per block instead of
 * one per request. A typed array above 64 bytes gets its own off-heap buffer, whose
 * allocation and sweeping cost about as much as drawing its tokens. A block is freed once
 * no request's view of it is left, so a lazy stream of requests keeps only a few alive.
 */
const BLOCK_TOKENS = 1 << 16;

export class TokenSlab {
  private block = new Int32Array(0);
  private used = 0;

  /** A zeroed view of `n` tokens that no other `take` shares. */
  take(n: number): Int32Array {
    if (this.used + n > this.block.length) {
      this.block = new Int32Array(Math.max(BLOCK_TOKENS, n));
      this.used = 0;
    }
    const out = this.block.subarray(this.used, this.used + n);
    this.used += n;
    return out;
  }
}
