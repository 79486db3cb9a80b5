import { candidateKey, type Scorer, search } from './search.ts';
import { type Candidate, type ParamSpec, round, widenable, withFixed } from './space.ts';

/** Grid steps the polish may move each field either way from the partial-replay winner. */
const REACH = 2;

export interface PolishResult {
  best: Candidate;
  bestScore: number;
  /** Full-replay candidates scored, the ones it started from included. */
  evaluations: number;
  /** The full-replay objective of each candidate it started from, in the order given. */
  fromScores: number[];
}

/**
 * A search on partial replays ends at the optimum of its proxy, a little off the full
 * replay's, and can end worse than where it started. The polish scores the candidates it is
 * given (the search's winner and its start) on full replays, keeps the best (the earlier on a
 * tie), and runs a pattern search around it with the fields' own grid steps (up to REACH steps
 * each way, inside the physical limits) for at most `maxEvals` more candidates: what it
 * returns is never worse on full replays than any candidate it was given.
 */
export async function polish(
  params: readonly ParamSpec[],
  from: readonly Candidate[],
  maxEvals: number,
  score: Scorer,
): Promise<PolishResult> {
  const fromScores = await score(from);
  const i = fromScores.indexOf(Math.min(...fromScores));
  const best = from[i]!;
  const given = new Set(from.map(candidateKey)).size;
  if (maxEvals <= 0) return { best, bestScore: fromScores[i]!, evaluations: given, fromScores };
  // A field fixed at one value (a pinned --param) holds it around the centre too, even when the
  // best given candidate (the file's exact values) lies off it.
  const centre = withFixed(params, best);
  const local = params.map((p) => localRange(p, centre[p.name]!));
  const r = await search({ params: local, start: centre, maxEvals: maxEvals + 1, method: 'pattern' }, score);
  const moved = candidateKey(centre) !== candidateKey(best);
  const evaluations = given + r.evaluations - (moved ? 0 : 1);
  return r.bestScore < fromScores[i]!
    ? { best: r.best, bestScore: r.bestScore, evaluations, fromScores }
    : { best, bestScore: fromScores[i]!, evaluations, fromScores };
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
