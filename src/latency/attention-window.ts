import type { AttentionWindow } from './arch-features.ts';

/**
 * Windowed attention's cost (ours; BLIS has no window): a windowed layer attends only to the
 * positions its window keeps. In BLIS's counting, where the token at position p attends to
 * the p positions before it (a prompt chunk of t tokens from position s costs Σ p =
 * t·(s + (t−1)/2), a decode token at context s costs s), a windowed layer's token attends to
 *
 *   sliding window W:          min(p, W)
 *   chunked local attention C: p mod C (the positions since the start of its chunk)
 *
 * and reads from the KV cache what the chunk's first token attends to (min(s, W), s mod C)
 * instead of all s cached positions. Full-attention layers keep today's cost. The latency
 * models scale their own attention terms by the layer-averaged share below, so a model
 * without a window, or a step inside it, costs exactly what it did.
 */
export class WindowedAttention {
  /** Windowed layers over all layers. */
  readonly fraction: number;
  private readonly tokens: number;
  private readonly chunked: boolean;

  constructor(window: AttentionWindow, layers: number, numLayers: number) {
    this.fraction = layers / numLayers;
    this.tokens = window.tokens;
    this.chunked = window.kind === 'chunked local attention';
  }

  /** Positions before p that a windowed layer's token at position p attends to. */
  attendedBefore(p: number): number {
    return this.chunked ? p % this.tokens : Math.min(p, this.tokens);
  }

  /** Σ attendedBefore(p) over the t positions from s. */
  attendedSum(s: number, t: number): number {
    return this.prefix(s + t) - this.prefix(s);
  }

  /**
   * The share of its full-attention work a chunk of t tokens from position s does, averaged
   * over the layers: 1 − f + f·attendedSum/Σp, f the windowed fraction (1 when Σp is 0).
   */
  share(s: number, t: number): number {
    const full = t * s + (t * (t - 1)) / 2;
    if (full === 0) return 1;
    return 1 - this.fraction + (this.fraction * this.attendedSum(s, t)) / full;
  }

  /** Cached positions a step reads per layer, averaged over the layers: s − f·(s − attendedBefore(s)). */
  readKeys(s: number): number {
    return s - this.fraction * (s - this.attendedBefore(s));
  }

  /** Σ attendedBefore(p) for p in [0, n). */
  private prefix(n: number): number {
    const w = this.tokens;
    if (this.chunked) {
      const whole = Math.floor(n / w);
      const rest = n - whole * w;
      return (whole * w * (w - 1)) / 2 + (rest * (rest - 1)) / 2;
    }
    if (n <= w + 1) return (n * (n - 1)) / 2;
    return (w * (w + 1)) / 2 + (n - w - 1) * w;
  }
}

/** The window's cost model, or undefined for a model whose layers attend to everything. */
export function windowedAttention(
  window: AttentionWindow | undefined,
  numLayers: number,
): WindowedAttention | undefined {
  if (window?.layers === undefined || window.layers === 0) return undefined;
  return new WindowedAttention(window, window.layers, numLayers);
}
