import type { Metric } from '../groundtruth/experiment.ts';
import type { CvSpec, Fold } from './folds.ts';
import { type ExperimentScore, metricMapes, objectiveOf } from './objective.ts';
import type { ObjectiveSpec } from './objective-types.ts';
import {
  type ErrorSummary,
  type FoldReport,
  foldVote,
  type SearchResult,
  type TuneResult,
} from './outcome.ts';
import { polish } from './polish.ts';
import { racingScorer } from './race.ts';
import {
  type BatchScorer,
  candidateKey,
  type Scorer,
  type SearchMethod,
  search,
  searchBudget,
  searchStart,
} from './search.ts';
import type { Candidate, ParamSpec } from './space.ts';

export interface TuneInput {
  experiments: readonly string[];
  folds: readonly Fold[];
  cv: CvSpec;
  params: readonly ParamSpec[];
  start: Candidate;
  metrics: readonly Metric[];
  objective: ObjectiveSpec;
  maxEvals: number;
  method: SearchMethod;
  /** Racing margin (a fraction), or null for full evaluations of every candidate. */
  race: number | null;
  /** Fraction of each stage the searches replay (1: all); reported figures are full replays. */
  fidelity: number;
  /** Full-replay candidates around the final partial-replay search's winner (0: none; see polish.ts). */
  polish: number;
  force: boolean;
  score: BatchScorer;
  /** Progress: a search starts (k of the searches this run makes, with its candidate budget). */
  onSearch?: (search: SearchProgress) => void;
  /** Progress: distinct candidates the running search has scored so far. */
  onCandidates?: (done: number) => void;
}

export interface SearchProgress {
  /** `fold 2 of 6 (name)` or `final search (all experiments)`. */
  label: string;
  /** 1-based among the searches this process runs. */
  index: number;
  count: number;
  /** Candidates it may score: the search's budget, plus the full-replay check and polish. */
  budget: number;
}

function summaryOf(
  scores: readonly ExperimentScore[],
  metrics: readonly Metric[],
  spec: ObjectiveSpec,
): ErrorSummary {
  return { objective: objectiveOf(scores, spec), ...metricMapes(scores, metrics) };
}

/**
 * One search (Nelder–Mead, grid, …), raced and at the run's fidelity. A search on partial
 * replays is then judged on full ones: its winner against its start (the better is kept, so
 * a fit never ends worse than the current values on its own training data); the final
 * search's (the fit that gets written) is then polished around the better of the two.
 */
async function searchWith(
  t: TuneInput,
  s: Search,
  at: Omit<SearchProgress, 'label' | 'budget'>,
): Promise<SearchResult> {
  const names = s.names;
  const polishEvals = s.final ? t.polish : 0;
  const o = { params: t.params, start: t.start, maxEvals: t.maxEvals, method: t.method };
  const checked = t.fidelity < 1 ? 2 + polishEvals : 0;
  t.onSearch?.({ ...at, label: s.label, budget: searchBudget(o) + checked });
  // Progress counts distinct candidates, on partial and on full replays apart.
  const scored = [new Set<string>(), new Set<string>()];
  const counted =
    (scorer: Scorer, into: Set<string>): Scorer =>
    async (cands, worse) => {
      const values = await scorer(cands, worse);
      for (const c of cands) into.add(candidateKey(c));
      t.onCandidates?.(scored[0]!.size + scored[1]!.size);
      return values;
    };
  const raced = (fidelity: number) =>
    racingScorer(
      (c, n) => t.score(c, n, fidelity),
      names,
      (s) => objectiveOf(s, t.objective),
      t.race,
    );
  const { scorer, stats } = raced(t.fidelity);
  const r = await search(o, counted(scorer, scored[0]!));
  if (t.fidelity >= 1) return { ...r, race: { ...stats } };
  const full = raced(1);
  const p = await polish(
    t.params,
    [searchStart(t.params, t.start), r.best],
    polishEvals,
    counted(full.scorer, scored[1]!),
  );
  const part = `, searched on the first ${Math.round(t.fidelity * 100)} % of each stage`;
  const then =
    polishEvals > 0
      ? ', then a pattern search on full replays around the better of its winner and its start'
      : ', then its winner and its start compared on full replays';
  return {
    ...r,
    method: r.method + part + then,
    best: p.best,
    bestScore: p.bestScore,
    evaluations: r.evaluations + p.evaluations,
    race: { screened: stats.screened + full.stats.screened, stopped: stats.stopped + full.stats.stopped },
    polish: { evaluations: p.evaluations, start: p.fromScores[0]!, from: p.fromScores[1]!, to: p.bestScore },
  };
}

/**
 * One shard of an adaptive run: the searches it owns (search i is fold i, the final search
 * comes after the folds) run here, their candidates going to the checkpoint. Searches are
 * deterministic, so a merged run replays every one of them from the memo.
 */
export async function tuneShard(t: TuneInput, owns: (search: number) => boolean): Promise<void> {
  const mine = searchesOf(t).filter((_, i) => owns(i));
  for (const [k, s] of mine.entries()) await searchWith(t, s, { index: k + 1, count: mine.length });
}

interface Search {
  names: readonly string[];
  label: string;
  /** The search on every experiment, whose fit gets written. */
  final: boolean;
}

/** Every search of a run, in order: each fold's (on its training experiments), then the final one. */
function searchesOf(t: TuneInput): Search[] {
  return [
    ...t.folds.map((f, i) => ({
      names: f.train,
      label: `fold ${i + 1} of ${t.folds.length} (${f.name})`,
      final: false,
    })),
    { names: t.experiments, label: 'final search (all experiments)', final: true },
  ];
}

/**
 * Cross-validated calibration: for each fold, search on its training experiments and score
 * the left-out ones, beside the current configuration on the same experiments; then search
 * on everything. The fit is to be written only when its cross-validated error beats the
 * current values' and it loses on no more left-out folds than it wins (or with force).
 */
export async function tune(t: TuneInput): Promise<TuneResult> {
  const summary = (scores: readonly ExperimentScore[], metrics: readonly Metric[]) =>
    summaryOf(scores, metrics, t.objective);
  const scoresOf = async (c: Candidate | null, names: readonly string[]) => (await t.score([c], names))[0]!;
  const folds: FoldReport[] = [];
  const pooled = {
    fitted: [] as ErrorSummary[],
    leftOut: [] as ExperimentScore[],
    current: [] as ExperimentScore[],
  };
  const searches = searchesOf(t);
  const at = (i: number) => [searches[i]!, { index: i + 1, count: searches.length }] as const;
  for (const [i, f] of t.folds.entries()) {
    const s = await searchWith(t, ...at(i));
    const leftOut = await scoresOf(s.best, f.test);
    const currentLeftOut = await scoresOf(null, f.test);
    const fitted = summary(await scoresOf(s.best, f.train), t.metrics);
    folds.push({
      name: f.name,
      train: f.train,
      test: f.test,
      search: s,
      fitted,
      leftOut: summary(leftOut, t.metrics),
      currentTrain: summary(await scoresOf(null, f.train), t.metrics),
      currentLeftOut: summary(currentLeftOut, t.metrics),
    });
    pooled.fitted.push(fitted);
    pooled.leftOut.push(...leftOut);
    pooled.current.push(...currentLeftOut);
  }
  const finalSearch = await searchWith(t, ...at(t.folds.length));
  const final = {
    search: finalSearch,
    fitted: summary(await scoresOf(finalSearch.best, t.experiments), t.metrics),
    current: summary(await scoresOf(null, t.experiments), t.metrics),
  };
  const cv =
    folds.length === 0
      ? null
      : {
          fitted: meanSummary(pooled.fitted, t.metrics),
          leftOut: summary(pooled.leftOut, t.metrics),
          current: summary(pooled.current, t.metrics),
        };
  const [ours, theirs, label] = cv
    ? [cv.leftOut.objective, cv.current.objective, 'cross-validated (left-out)']
    : [final.fitted.objective, final.current.objective, 'fitted (no cross-validation)'];
  // A pooled mean can be carried by one experiment the current values blow up: the fit must
  // also not lose on more left-out folds than it wins.
  const votes = folds.map((f) => foldVote(f.currentLeftOut.objective, f.leftOut.objective));
  const won = votes.filter((v) => v > 0).length;
  const lost = votes.filter((v) => v < 0).length;
  const better = ours < theirs && lost <= won;
  const current = Number.isFinite(theirs) ? theirs.toFixed(2) : 'not applicable (no current values)';
  const tally = folds.length > 0 ? ` (left-out folds: ${won} better, ${lost} worse)` : '';
  const why = `${label} objective ${ours.toFixed(2)} vs current ${current}${tally}: ${
    better
      ? 'the fit generalises better'
      : ours < theirs
        ? 'the fit loses on more left-out folds than it wins'
        : 'the fit does not beat the current values'
  }${!better && t.force ? '; written anyway (--force)' : ''}`;
  return { folds, cv, final, write: better || t.force, why };
}

/** The mean of per-fold summaries (fitted error averaged over folds). */
function meanSummary(xs: readonly ErrorSummary[], metrics: readonly Metric[]): ErrorSummary {
  const mean = (f: (s: ErrorSummary) => number | undefined) => {
    const v = xs.map(f).filter((x): x is number => x !== undefined);
    return v.length === 0 ? undefined : v.reduce((a, b) => a + b, 0) / v.length;
  };
  const mape: Partial<Record<Metric, number>> = {};
  for (const m of metrics) {
    const v = mean((s) => s.mape[m]);
    if (v !== undefined) mape[m] = v;
  }
  return {
    objective: mean((s) => s.objective) ?? Number.POSITIVE_INFINITY,
    mape,
    ok: xs.reduce((a, s) => a + s.ok, 0),
    failed: xs.reduce((a, s) => a + s.failed, 0),
  };
}
