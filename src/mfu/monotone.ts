import { bilinearClamped, linearClamped } from './interpolate.ts';

/**
 * Monotone time envelopes for roofline-v2's `monotone` mode (ours; BLIS has no such mode).
 *
 * BLIS interpolates MFU linearly and divides work by it, so time = work / MFU can fall when
 * MFU rises faster than the work: step time then drops as a batch grows (decode batch 3 → 4
 * is ~5 % faster on the H100 tables). These classes instead interpolate *time per unit of
 * peak-rate work* — x / MFU(x) — over the measured points, after replacing each point by the
 * running maximum of the points below it, so the result never decreases. Below the first
 * and above the last point the time scales in proportion to the work (MFU held at the end
 * value). At every measured point where the measured curve already rises, the value equals
 * x / MFU(x) exactly.
 */
export class MonotoneCurve {
  private readonly xs: Float64Array;
  private readonly ys: Float64Array;

  /** `mfuAt` is the database lookup (with its fallbacks) evaluated at the measured points. */
  constructor(xs: Float64Array, mfuAt: (x: number) => number) {
    this.xs = Float64Array.from(xs);
    this.ys = new Float64Array(xs.length);
    let best = 0;
    for (let i = 0; i < xs.length; i++) {
      best = Math.max(best, xs[i]! / mfuAt(xs[i]!));
      this.ys[i] = best;
    }
  }

  /** x / MFU(x), non-decreasing in x; 0 at x = 0. */
  at(x: number): number {
    const xs = this.xs;
    const ys = this.ys;
    const n = xs.length;
    if (x <= xs[0]!) return (ys[0]! * x) / xs[0]!;
    if (x >= xs[n - 1]!) return (ys[n - 1]! * x) / xs[n - 1]!;
    return linearClamped(xs, ys, x);
  }
}

/**
 * The decode counterpart: batch · kv / MFU(batch, kv) on the (batch, kv) grid, made
 * non-decreasing along both axes by a 2-D running maximum, then bilinearly interpolated
 * (which keeps it monotone in each axis) and scaled in proportion outside the grid.
 */
export class MonotoneGrid {
  private readonly bs: Float64Array;
  private readonly kv: Float64Array;
  private readonly t: Float64Array;

  constructor(bs: Float64Array, kv: Float64Array, mfuAt: (batch: number, kvLen: number) => number) {
    this.bs = Float64Array.from(bs);
    this.kv = Float64Array.from(kv);
    const nk = kv.length;
    this.t = new Float64Array(bs.length * nk);
    for (let i = 0; i < bs.length; i++) {
      for (let j = 0; j < nk; j++) {
        let v = (bs[i]! * kv[j]!) / mfuAt(bs[i]!, kv[j]!);
        if (i > 0) v = Math.max(v, this.t[(i - 1) * nk + j]!);
        if (j > 0) v = Math.max(v, this.t[i * nk + j - 1]!);
        this.t[i * nk + j] = v;
      }
    }
  }

  /** batch · kv / MFU, non-decreasing in batch and in kv; 0 at kv = 0. */
  at(batch: number, kvLen: number): number {
    const bs = this.bs;
    const kv = this.kv;
    const nb = bs.length;
    const nk = kv.length;
    let scale = 1;
    let b = batch;
    let k = kvLen;
    if (b < bs[0]!) {
      scale *= b / bs[0]!;
      b = bs[0]!;
    } else if (b > bs[nb - 1]!) {
      scale *= b / bs[nb - 1]!;
      b = bs[nb - 1]!;
    }
    if (k < kv[0]!) {
      scale *= k / kv[0]!;
      k = kv[0]!;
    } else if (k > kv[nk - 1]!) {
      scale *= k / kv[nk - 1]!;
      k = kv[nk - 1]!;
    }
    return bilinearClamped(bs, kv, this.t, b, k) * scale;
  }
}
