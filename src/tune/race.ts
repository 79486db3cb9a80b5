import type { ExperimentScore } from './objective.ts';
import type { BatchScorer, Scorer } from './search.ts';
import type { Candidate } from './space.ts';

/** Every `SCREEN_EVERY`-th training experiment (file order, so spread over models) screens. */
const SCREEN_EVERY = 4;

export interface RaceStats {
  /** Candidates scored on the screening experiments first. */
  screened: number;
  /** Of those, candidates stopped there (never simulated on the other experiments). */
  stopped: number;
}

/**
 * Racing: when the search says which value a batch must beat (`worse`), candidates are
 * first scored on a quarter of the experiments; a candidate whose estimate stays more than
 * `margin` (a fraction) above `worse` stops there, the others run on every experiment.
 * The estimate scales the candidate's screening objective by the incumbent's ratio of full
 * to screening objective (the same experiments judge both). Every candidate the search can
 * pick as its best was simulated on every experiment, so the winner's figures are those of
 * a full evaluation; only candidates judged worse can be stopped early. `margin` null: off.
 */
export function racingScorer(
  score: BatchScorer,
  names: readonly string[],
  objective: (scores: readonly ExperimentScore[]) => number,
  margin: number | null,
): { scorer: Scorer; stats: RaceStats } {
  const screen = names.filter((_, i) => i % SCREEN_EVERY === 0);
  const stats: RaceStats = { screened: 0, stopped: 0 };
  let incumbent: { full: number; screen: number } | null = null;
  const full = async (cands: readonly Candidate[]) => {
    const all = await score(cands, names);
    const values = all.map(objective);
    values.forEach((v, i) => {
      if (incumbent !== null && v >= incumbent.full) return;
      const byName = new Map(names.map((n, j) => [n, all[i]![j]!]));
      incumbent = { full: v, screen: objective(screen.map((n) => byName.get(n)!)) };
    });
    return values;
  };
  const scorer: Scorer = async (cands, worse) => {
    const inc = incumbent as { full: number; screen: number } | null;
    const usable =
      margin !== null &&
      worse !== undefined &&
      Number.isFinite(worse) &&
      inc !== null &&
      inc.screen > 0 &&
      screen.length < names.length;
    if (!usable) return full(cands);
    const estimate = (await score(cands, screen)).map((s) => (objective(s) * inc.full) / inc.screen);
    stats.screened += cands.length;
    const go = cands.filter((_, i) => estimate[i]! <= worse * (1 + margin));
    stats.stopped += cands.length - go.length;
    const goValues = go.length > 0 ? await full(go) : [];
    let k = 0;
    return cands.map((_, i) =>
      estimate[i]! <= worse * (1 + margin) ? goValues[k++]! : Math.max(estimate[i]!, worse),
    );
  };
  return { scorer, stats };
}
