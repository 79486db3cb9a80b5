/**
 * Bounded Nelder–Mead over the unit box [0, 1]^n, for objectives that are expensive and
 * asynchronous (each value is a batch of simulations). fmin's nelderMead wants a synchronous
 * function, so this one is written here: same method, adaptive coefficients (Gao & Han 2012,
 * better than the classic ones beyond a few dimensions), points projected onto the box and
 * rounded to `resolution` so that repeated points hit the caller's memo. No randomness: the
 * same start and objective give the same path.
 */

/** Values of points; `worse` is the value a point must beat to matter (undefined: exact value wanted). */
export type BoxObjective = (points: readonly number[][], worse?: number) => Promise<number[]>;

export interface NelderMeadOptions {
  start: readonly number[];
  /** Edge of the first simplex, in unit-box coordinates. */
  step: number;
  /** Evaluations this run may spend (a point already evaluated by the caller still counts once). */
  maxEvals: number;
  /** Coordinates are rounded to multiples of this (memo hits, stable keys). */
  resolution: number;
  /** Stop when the simplex's values and extent are this close (relative / unit-box units). */
  tolerance?: number;
}

export interface NelderMeadResult {
  best: number[];
  bestValue: number;
  evaluations: number;
}

export async function nelderMead(o: NelderMeadOptions, f: BoxObjective): Promise<NelderMeadResult> {
  const n = o.start.length;
  const tol = o.tolerance ?? 1e-4;
  const [alpha, beta, gamma, delta] =
    n >= 2 ? [1, 1 + 2 / n, 0.75 - 1 / (2 * n), 1 - 1 / n] : [1, 2, 0.5, 0.5];
  let evaluations = 0;
  const clamp = (v: number) => Math.min(1, Math.max(0, v));
  const fixOne = (v: number) => Math.round(clamp(v) / o.resolution) * o.resolution;
  const fix = (x: readonly number[]) => x.map(fixOne);
  const evalAll = async (xs: number[][], worse?: number): Promise<number[]> => {
    evaluations += xs.length;
    return f(xs, worse);
  };

  // First simplex: the start as given (in the box, not rounded: the caller's exact point) and
  // one step along each axis (backwards where a bound is near), the other coordinates kept.
  const x0 = o.start.map(clamp);
  const pts: number[][] = [x0];
  for (let i = 0; i < n; i++) {
    const x = [...x0];
    x[i] = fixOne(x0[i]! + o.step <= 1 ? x0[i]! + o.step : x0[i]! - o.step);
    pts.push(x);
  }
  const room = Math.max(1, o.maxEvals);
  let simplex = (await evalAll(pts.slice(0, room))).map((v, i) => ({ x: pts[i]!, v }));
  if (simplex.length < n + 1) return finish(simplex, evaluations);

  while (evaluations < o.maxEvals) {
    // Stable sort: ties keep their order, so the path is deterministic.
    simplex.sort((a, b) => a.v - b.v);
    const best = simplex[0]!;
    const worst = simplex[n]!;
    const second = simplex[n - 1]!;
    const spread = Math.max(...simplex.map((p) => Math.max(...p.x.map((c, i) => Math.abs(c - best.x[i]!)))));
    if (spread <= o.resolution || Math.abs(worst.v - best.v) <= tol * Math.max(1, Math.abs(best.v))) break;
    const centroid = Array.from(
      { length: n },
      (_, i) => simplex.slice(0, n).reduce((s, p) => s + p.x[i]!, 0) / n,
    );
    const along = (t: number) => fix(centroid.map((c, i) => c + t * (c - worst.x[i]!)));

    const r = along(alpha);
    const [vr] = await evalAll([r], worst.v);
    if (vr! < best.v) {
      if (evaluations >= o.maxEvals) {
        simplex[n] = { x: r, v: vr! };
        break;
      }
      const e = along(alpha * beta);
      const [ve] = await evalAll([e], vr);
      simplex[n] = ve! < vr! ? { x: e, v: ve! } : { x: r, v: vr! };
      continue;
    }
    if (vr! < second.v) {
      simplex[n] = { x: r, v: vr! };
      continue;
    }
    if (evaluations >= o.maxEvals) break;
    // Contraction: outside when the reflection beat the worst point, inside otherwise.
    const outside = vr! < worst.v;
    const c = along(outside ? alpha * gamma : -gamma);
    const bar = outside ? vr! : worst.v;
    const [vc] = await evalAll([c], bar);
    if (vc! < bar || (outside && vc! === bar)) {
      simplex[n] = { x: c, v: vc! };
      continue;
    }
    // Shrink towards the best point.
    const shrunk = simplex.slice(1).map((p) => fix(p.x.map((c, i) => best.x[i]! + delta * (c - best.x[i]!))));
    const take = shrunk.slice(0, Math.max(0, o.maxEvals - evaluations));
    const vs = await evalAll(take);
    simplex = [best, ...take.map((x, i) => ({ x, v: vs[i]! })), ...simplex.slice(1 + take.length)];
    if (take.length < shrunk.length) break;
  }
  return finish(simplex, evaluations);
}

function finish(simplex: { x: number[]; v: number }[], evaluations: number): NelderMeadResult {
  let best = simplex[0]!;
  for (const p of simplex) if (p.v < best.v) best = p;
  return { best: best.x, bestValue: best.v, evaluations };
}
