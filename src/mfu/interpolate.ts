/**
 * Interpolation on measured MFU axes. Axes are sorted ascending and hold distinct values.
 * Allocation-free: these run inside every simulated step.
 */

/** Largest i with axis[i] ≤ x, for axis[0] ≤ x < axis[n−1] (binary search). */
export function lowerIndex(axis: Float64Array, x: number): number {
  let lo = 0;
  let hi = axis.length - 1;
  while (hi - lo > 1) {
    const mid = (lo + hi) >>> 1;
    if (axis[mid]! <= x) lo = mid;
    else hi = mid;
  }
  return lo;
}

/**
 * Linear interpolation of ys over xs; below the first point and above the last the end values
 * are used (clamping, as BLIS does).
 */
export function linearClamped(xs: Float64Array, ys: Float64Array, x: number): number {
  const n = xs.length;
  if (n === 0) return 0;
  if (x <= xs[0]!) return ys[0]!;
  if (x >= xs[n - 1]!) return ys[n - 1]!;
  const i = lowerIndex(xs, x);
  const x0 = xs[i]!;
  const y0 = ys[i]!;
  return y0 + ((ys[i + 1]! - y0) * (x - x0)) / (xs[i + 1]! - x0);
}

/**
 * Bilinear interpolation on a (possibly sparse) grid stored row-major as grid[i·ny + j] for
 * xs[i], ys[j]. Each axis is bracketed and clamped independently; a corner that was not
 * measured holds 0 (BLIS reads missing corners as 0.0).
 */
export function bilinearClamped(
  xs: Float64Array,
  ys: Float64Array,
  grid: Float64Array,
  x: number,
  y: number,
): number {
  const nx = xs.length;
  const ny = ys.length;
  let i0: number;
  let i1: number;
  let wx: number;
  if (x <= xs[0]!) {
    i0 = i1 = 0;
    wx = 0;
  } else if (x >= xs[nx - 1]!) {
    i0 = i1 = nx - 1;
    wx = 0;
  } else {
    i0 = lowerIndex(xs, x);
    i1 = i0 + 1;
    wx = (x - xs[i0]!) / (xs[i1]! - xs[i0]!);
  }
  let j0: number;
  let j1: number;
  let wy: number;
  if (y <= ys[0]!) {
    j0 = j1 = 0;
    wy = 0;
  } else if (y >= ys[ny - 1]!) {
    j0 = j1 = ny - 1;
    wy = 0;
  } else {
    j0 = lowerIndex(ys, y);
    j1 = j0 + 1;
    wy = (y - ys[j0]!) / (ys[j1]! - ys[j0]!);
  }
  const q00 = grid[i0 * ny + j0]!;
  const q10 = grid[i1 * ny + j0]!;
  const q01 = grid[i0 * ny + j1]!;
  const q11 = grid[i1 * ny + j1]!;
  return q00 * (1 - wx) * (1 - wy) + q10 * wx * (1 - wy) + q01 * (1 - wx) * wy + q11 * wx * wy;
}

/** Sorted distinct values. */
export function axisOf(values: Iterable<number>): Float64Array {
  return Float64Array.from(new Set(values)).sort();
}
