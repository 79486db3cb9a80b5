import { type Candidate, type Scorer, search } from './search.ts';
import { type ParamSpec, round, widenable } from './space.ts';

/** Grid steps the polish may move each field either way from the partial-replay winner. */
const REACH = 2;

export interface PolishResult {
  best: Candidate;
  bestScore: number;
  /** Full-replay candidates scored, the partial-replay winner included. */
  evaluations: number;
  /** The partial-replay winner's full-replay objective. */
  startScore: number;
}

/**
 * A search on partial replays ends at the optimum of its proxy, a little off the full
 * replay's. The polish scores that winner on full replays and runs a pattern search around
 * it with the fields' own grid steps (up to REACH steps each way, inside the physical
 * limits) for at most `maxEvals` candidates: it can only keep or improve the full-replay
 * objective of what the search found.
 */
export async function polish(
  params: readonly ParamSpec[],
  start: Candidate,
  maxEvals: number,
  score: Scorer,
): Promise<PolishResult> {
  const local = params.map((p) => localRange(p, start[p.name]!));
  const r = await search({ params: local, start, maxEvals, method: 'pattern' }, score);
  return {
    best: r.best,
    bestScore: r.bestScore,
    evaluations: r.evaluations,
    startScore: r.trace[0]?.best ?? r.bestScore,
  };
}

/**
 * A grid of the field's step centred on `x` (so `x` is on it), clipped to its physical
 * limits (to its own range for coefficients, which have none).
 */
function localRange(p: ParamSpec, x: number): ParamSpec {
  if (p.hi <= p.lo) return p;
  const physical = widenable(p.name);
  const limit = physical.lo <= physical.hi ? physical : p;
  const below = Math.min(REACH, Math.floor(round((x - limit.lo) / p.step)));
  const above = Math.min(REACH, Math.floor(round((limit.hi - x) / p.step)));
  return {
    ...p,
    lo: round(x - Math.max(0, below) * p.step),
    hi: round(x + Math.max(0, above) * p.step),
  };
}
