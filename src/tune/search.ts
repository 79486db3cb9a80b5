import { nelderMead } from './nelder-mead.ts';
import type { ExperimentScore } from './objective.ts';
import type { SearchResult } from './outcome.ts';
import { type Candidate, gridValues, type ParamSpec, round, snap, widenable, withFixed } from './space.ts';

/** A stable key of a candidate (sorted field names). */
export function candidateKey(c: Candidate): string {
  return JSON.stringify(
    Object.keys(c)
      .sort()
      .map((k) => [k, c[k]]),
  );
}

export type SearchMethod = 'auto' | 'grid' | 'compass' | 'pattern' | 'nelder-mead';

export interface SearchOptions {
  params: readonly ParamSpec[];
  /**
   * The current values, exactly as they are (not snapped to the grid; pinned fields at their
   * pins): candidate 0 of every method, and the winner unless a candidate scores strictly lower.
   */
  start: Candidate;
  maxEvals: number;
  method: SearchMethod;
}

/**
 * Scores candidates (lower is better); called with batches so the pool stays busy. `worse`
 * is the value a candidate must beat to change the search (undefined: exact values wanted):
 * a scorer may answer with any value >= it for a candidate it can tell is worse.
 */
export type Scorer = (candidates: readonly Candidate[], worse?: number) => Promise<number[]>;

/**
 * Scores of candidates on experiments; `null` is the current configuration. Memoised by the
 * caller. `fidelity` < 1 replays only that fraction of each stage (searches; see fidelity.ts).
 */
export type BatchScorer = (
  candidates: readonly (Candidate | null)[],
  experiments: readonly string[],
  fidelity?: number,
) => Promise<ExperimentScore[][]>;

/** Every grid point, in a fixed order (first parameter varies slowest). */
export function fullGrid(params: readonly ParamSpec[]): Candidate[] {
  let out: Record<string, number>[] = [{}];
  for (const p of params) out = out.flatMap((c) => gridValues(p).map((v) => ({ ...c, [p.name]: v })));
  return out;
}

export function gridSize(params: readonly ParamSpec[]): number {
  return params.reduce((n, p) => n * gridValues(p).length, 1);
}

/** Whether a search evaluates the full grid: forced, or `auto` with a grid that fits the budget. */
export function gridFits(o: Pick<SearchOptions, 'params' | 'maxEvals' | 'method'>): boolean {
  return o.method === 'grid' || (o.method === 'auto' && gridSize(o.params) <= o.maxEvals);
}

/** The most distinct candidates a search scores: a grid scores the start beside its points. */
export function searchBudget(o: Pick<SearchOptions, 'params' | 'maxEvals' | 'method'>): number {
  return gridFits(o) ? Math.max(o.maxEvals, Math.min(gridSize(o.params), o.maxEvals) + 1) : o.maxEvals;
}

/** The start as a candidate of the space: its exact values (a field it lacks starts at its lower bound). */
export function startOf(params: readonly ParamSpec[], start: Candidate): Candidate {
  return Object.fromEntries(params.map((p) => [p.name, start[p.name] ?? p.lo]));
}

/**
 * Where a search starts: the start with every pinned field at its pin. Every candidate, the
 * winner included, holds the pins; the file's own values are scored apart (the "current" row).
 */
export function searchStart(params: readonly ParamSpec[], start: Candidate): Candidate {
  return withFixed(params, startOf(params, start));
}

/** What a grid search scores, in order: the start (candidate 0), then every grid point. */
export function gridCandidates(params: readonly ParamSpec[], start: Candidate): Candidate[] {
  return dedupe([searchStart(params, start), ...fullGrid(params)]);
}

/**
 * Coarse-to-fine search within `maxEvals` distinct candidates, the first of which is always
 * the start, scored alone: a search can only return something strictly better than the start
 * or the start itself, and its trace begins with the start's objective. When the full grid
 * fits it is evaluated whole ("grid", the start beside it even if that is one over the
 * budget); otherwise a coarse grid (every s-th value) when that fits in half the budget, then
 * a compass (coordinate) search from the best point, halving its steps down to the grid step
 * ("coarse grid + compass refinement", or "compass search" from the start).
 */
export async function search(o: SearchOptions, score: Scorer): Promise<SearchResult> {
  const seen = new Map<string, number>();
  const trace: SearchResult['trace'] = [];
  const start = searchStart(o.params, o.start);
  let best: Candidate = start;
  let bestScore = Number.POSITIVE_INFINITY;
  const isGrid = gridFits(o);
  const budget = searchBudget(o);
  const run = async (cands: readonly Candidate[], worse?: number) => {
    const fresh = dedupe(cands).filter((c) => !seen.has(candidateKey(c)));
    const room = Math.max(0, budget - seen.size);
    const batch = fresh.slice(0, room);
    if (batch.length === 0) return;
    const scores = await score(batch, worse);
    batch.forEach((c, i) => {
      const s = scores[i]!;
      seen.set(candidateKey(c), s);
      // Ties keep the earlier candidate: the order is fixed, so results are too.
      if (s < bestScore) {
        bestScore = s;
        best = c;
      }
    });
    trace.push({ evaluations: seen.size, best: bestScore });
  };

  await run([start]);
  if (isGrid) {
    await run(fullGrid(o.params));
    return {
      method: `grid (${gridSize(o.params)} points)`,
      best,
      bestScore,
      evaluations: seen.size,
      trace,
      onBound: boundsHit(asRanges(o.params), best),
    };
  }
  if (o.method === 'nelder-mead' || o.method === 'auto') {
    return simplexSearch(o, {
      run,
      seen,
      trace,
      state: () => ({ best, bestScore }),
    });
  }
  let stride = 1;
  while (coarseSize(o.params, stride) > o.maxEvals / 2 && stride < MAX_STRIDE) stride *= 2;
  let method = 'compass search from the current values';
  // A coarse grid only helps while it still samples the interior of each axis; in many
  // dimensions it degenerates to corners, so the search starts from the current values.
  if (o.method === 'compass' && coarseSize(o.params, stride) <= o.maxEvals / 2) {
    await run(coarseGrid(o.params, stride));
    method = `coarse grid (every ${stride}th value, ${coarseSize(o.params, stride)} points) + compass refinement`;
  }
  // Compass search: try ±Δ on every axis, move to the best improvement, else halve Δ.
  const delta = o.params.map((p) =>
    Math.max(1, stride === 1 ? Math.round((p.hi - p.lo) / p.step / 4) : stride),
  );
  while (seen.size < o.maxEvals) {
    const centre = best;
    const moves: Candidate[] = [];
    // The centre holds every pin already (searchStart): a fixed field has no move.
    o.params.forEach((p, i) => {
      if (p.hi <= p.lo) return;
      for (const sign of [-1, 1]) {
        const v = snap(p, centre[p.name]! + sign * delta[i]! * p.step);
        if (v !== centre[p.name]) moves.push({ ...centre, [p.name]: v });
      }
    });
    const before = bestScore;
    await run(moves);
    // Pattern move: combine the best improving step of every axis, and try that too.
    const combined: Record<string, number> = { ...centre };
    let improving = 0;
    for (const p of o.params) {
      let bestAxis = before;
      for (const m of moves) {
        const s = seen.get(candidateKey(m));
        if (m[p.name] === centre[p.name] || s === undefined || s >= bestAxis) continue;
        bestAxis = s;
        combined[p.name] = m[p.name]!;
      }
      if (bestAxis < before) improving++;
    }
    if (improving > 1) await run([combined]);
    if (bestScore < before) continue;
    if (delta.every((d) => d === 1)) break;
    for (let i = 0; i < delta.length; i++) delta[i] = Math.max(1, Math.floor(delta[i]! / 2));
    if (moves.every((m) => seen.has(candidateKey(m))) && seen.size >= o.maxEvals) break;
  }
  return {
    method,
    best,
    bestScore,
    evaluations: seen.size,
    trace,
    onBound: boundsHit(asRanges(o.params), best),
  };
}

const asRanges = (params: readonly ParamSpec[]) => params.map((p) => ({ p, lo: p.lo, hi: p.hi }));

/** Coarsest coarse grid: every 8th grid value. */
const MAX_STRIDE = 8;

function snapAll(params: readonly ParamSpec[], c: Candidate): Candidate {
  const out: Record<string, number> = {};
  for (const p of params) out[p.name] = snap(p, c[p.name] ?? p.lo);
  return out;
}

function coarseSize(params: readonly ParamSpec[], stride: number): number {
  return params.reduce((n, p) => n * Math.ceil(gridValues(p).length / stride), 1);
}

function coarseGrid(params: readonly ParamSpec[], stride: number): Candidate[] {
  const coarse = params.map((p) => ({ ...p, step: round(p.step * stride) }));
  return fullGrid(coarse).map((c) => snapAll(params, c));
}

function dedupe(cands: readonly Candidate[]): Candidate[] {
  const keys = new Set<string>();
  return cands.filter((c) => {
    const k = candidateKey(c);
    if (keys.has(k)) return false;
    keys.add(k);
    return true;
  });
}

interface SearchState {
  run: (cands: readonly Candidate[], worse?: number) => Promise<void>;
  seen: Map<string, number>;
  trace: SearchResult['trace'];
  state: () => { best: Candidate; bestScore: number };
}

/** How many widenings a field may get on each side (each adds its original width). */
const MAX_WIDEN = 2;

/**
 * Nelder–Mead in the box of the ranges: from the current values, then restarts from the
 * best point with a smaller simplex while the budget lasts. A field whose best value sits
 * on a bound short of its physical limit gets its range widened towards that limit before
 * the next restart. Points are rounded to a tenth of the grid step.
 */
async function simplexSearch(o: SearchOptions, s: SearchState): Promise<SearchResult> {
  const ranges = o.params.map((p) => ({ p, lo: p.lo, hi: p.hi, widenedLo: 0, widenedHi: 0 }));
  const free = ranges.filter((r) => r.hi > r.lo);
  const toUnit = (c: Candidate) => free.map((r) => (c[r.p.name]! - r.lo) / (r.hi - r.lo));
  // The point a run starts from is the best candidate itself, exact, not a rounded copy.
  let origin = { key: '', cand: s.state().best };
  const toCand = (u: readonly number[]): Candidate => {
    if (JSON.stringify(u) === origin.key) return origin.cand;
    // The best holds every pin already (searchStart): only the free fields move.
    const c: Record<string, number> = { ...s.state().best };
    free.forEach((r, i) => {
      c[r.p.name] = round(r.lo + u[i]! * (r.hi - r.lo));
    });
    return c;
  };
  const scoreOf = async (cands: Candidate[], worse?: number) => {
    await s.run(cands, worse);
    return cands.map((c) => s.seen.get(candidateKey(c)) ?? Number.POSITIVE_INFINITY);
  };
  let restarts = 0;
  let step = 0.25;
  while (s.seen.size < o.maxEvals && free.length > 0) {
    const before = s.state().bestScore;
    const resolution = Math.min(...free.map((r) => r.p.step / (r.hi - r.lo))) / 10;
    const unit = toUnit(s.state().best);
    const start = unit.map((v) => Math.min(1, Math.max(0, v)));
    const inBox = unit.every((v, i) => v === start[i]);
    origin = { key: inBox ? JSON.stringify(start) : '', cand: s.state().best };
    // The origin is scored already (it is the best so far): it costs this run nothing.
    await nelderMead({ start, step, maxEvals: o.maxEvals - s.seen.size + 1, resolution }, (us, worse) =>
      scoreOf(us.map(toCand), worse),
    );
    restarts++;
    const widened = widen(ranges, s.state().best);
    if (!widened && s.state().bestScore >= before) {
      if (step <= 0.02) break;
      step /= 2;
    }
  }
  const { best, bestScore } = s.state();
  const onBound = boundsHit(ranges, best);
  const widened = ranges
    .filter((r) => r.widenedLo + r.widenedHi > 0)
    .map((r) => ({ name: r.p.name, lo: r.lo, hi: r.hi }));
  return {
    method: `Nelder–Mead from the current values, ${restarts} run${restarts === 1 ? '' : 's'} (restarts from the best point)`,
    best,
    bestScore,
    evaluations: s.seen.size,
    trace: s.trace,
    onBound,
    widened,
  };
}

export type BoundHit = NonNullable<SearchResult['onBound']>[number];

/** Fields of `best` that sit on a bound of their range (within a thousandth of its width). */
export function boundsHit(
  ranges: readonly { p: ParamSpec; lo: number; hi: number }[],
  best: Candidate,
): BoundHit[] {
  const out: BoundHit[] = [];
  for (const r of ranges) {
    const v = best[r.p.name];
    if (v === undefined || r.hi === r.lo) continue;
    const eps = (r.hi - r.lo) * 1e-3;
    if (v <= r.lo + eps) out.push({ name: r.p.name, bound: 'lo', value: v });
    else if (v >= r.hi - eps) out.push({ name: r.p.name, bound: 'hi', value: v });
  }
  return out;
}

/** Widens every range whose best value sits on a bound short of the physical limit; true if any did. */
function widen(
  ranges: { p: ParamSpec; lo: number; hi: number; widenedLo: number; widenedHi: number }[],
  best: Candidate,
): boolean {
  let any = false;
  for (const r of ranges) {
    const v = best[r.p.name]!;
    const width = r.p.hi - r.p.lo;
    if (width <= 0) continue;
    const limit = widenable(r.p.name);
    const eps = (r.hi - r.lo) * 1e-3;
    if (v <= r.lo + eps && r.lo > limit.lo && r.widenedLo < MAX_WIDEN) {
      r.lo = round(Math.max(limit.lo, r.lo - width));
      r.widenedLo++;
      any = true;
    } else if (v >= r.hi - eps && r.hi < limit.hi && r.widenedHi < MAX_WIDEN) {
      r.hi = round(Math.min(limit.hi, r.hi + width));
      r.widenedHi++;
      any = true;
    }
  }
  return any;
}
