import { gridValues, type ParamSpec, round, snap } from './space.ts';

export type Candidate = Readonly<Record<string, number>>;

/** A stable key of a candidate (sorted field names). */
export function candidateKey(c: Candidate): string {
  return JSON.stringify(
    Object.keys(c)
      .sort()
      .map((k) => [k, c[k]]),
  );
}

export type SearchMethod = 'auto' | 'grid' | 'pattern';

export interface SearchOptions {
  params: readonly ParamSpec[];
  /** Where pattern search starts: the current values, snapped to the grid. */
  start: Candidate;
  maxEvals: number;
  method: SearchMethod;
}

export interface SearchResult {
  /** What ran, for the report. */
  method: string;
  best: Candidate;
  bestScore: number;
  evaluations: number;
  /** Best objective after each batch, for the convergence chart. */
  trace: { evaluations: number; best: number }[];
}

/** Scores candidates (lower is better); called with batches so the pool stays busy. */
export type Scorer = (candidates: readonly Candidate[]) => Promise<number[]>;

/** Every grid point, in a fixed order (first parameter varies slowest). */
export function fullGrid(params: readonly ParamSpec[]): Candidate[] {
  let out: Record<string, number>[] = [{}];
  for (const p of params) out = out.flatMap((c) => gridValues(p).map((v) => ({ ...c, [p.name]: v })));
  return out;
}

export function gridSize(params: readonly ParamSpec[]): number {
  return params.reduce((n, p) => n * gridValues(p).length, 1);
}

/**
 * Coarse-to-fine search within `maxEvals` distinct candidates. When the full grid fits it is
 * evaluated whole ("grid"); otherwise a coarse grid (every s-th value) when that fits in half
 * the budget, then a compass (coordinate) search from the best point, halving its steps down
 * to the grid step ("coarse grid + compass refinement", or "compass search" from the start).
 */
export async function search(o: SearchOptions, score: Scorer): Promise<SearchResult> {
  const seen = new Map<string, number>();
  const trace: SearchResult['trace'] = [];
  let best: Candidate = snapAll(o.params, o.start);
  let bestScore = Number.POSITIVE_INFINITY;
  const run = async (cands: readonly Candidate[]) => {
    const fresh = dedupe(cands).filter((c) => !seen.has(candidateKey(c)));
    const room = Math.max(0, o.maxEvals - seen.size);
    const batch = fresh.slice(0, room);
    if (batch.length === 0) return;
    const scores = await score(batch);
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

  const size = gridSize(o.params);
  if (o.method === 'grid' || (o.method === 'auto' && size <= o.maxEvals)) {
    await run(fullGrid(o.params));
    return { method: `grid (${size} points)`, best, bestScore, evaluations: seen.size, trace };
  }
  let stride = 1;
  while (coarseSize(o.params, stride) > o.maxEvals / 2 && stride < MAX_STRIDE) stride *= 2;
  let method = 'compass search from the current values';
  // A coarse grid only helps while it still samples the interior of each axis; in many
  // dimensions it degenerates to corners, so the search starts from the current values.
  if (o.method === 'auto' && coarseSize(o.params, stride) <= o.maxEvals / 2) {
    await run(coarseGrid(o.params, stride));
    method = `coarse grid (every ${stride}th value, ${coarseSize(o.params, stride)} points) + compass refinement`;
  } else {
    await run([best]);
  }
  // Compass search: try ±Δ on every axis, move to the best improvement, else halve Δ.
  const delta = o.params.map((p) =>
    Math.max(1, stride === 1 ? Math.round((p.hi - p.lo) / p.step / 4) : stride),
  );
  while (seen.size < o.maxEvals) {
    const centre = best;
    const moves: Candidate[] = [];
    o.params.forEach((p, i) => {
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
  return { method, best, bestScore, evaluations: seen.size, trace };
}

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
