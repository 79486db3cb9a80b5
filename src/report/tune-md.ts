import type { Metric } from '../groundtruth/experiment.ts';
import { FAILURE_APE, type ObjectiveSpec } from '../tune/objective-types.ts';
import {
  type ErrorSummary,
  foldVote,
  type SearchResult,
  type TuneOutcome,
  type TuneResult,
} from '../tune/outcome.ts';

const pct = (v: number | undefined) => (v === undefined || !Number.isFinite(v) ? 'n/a' : `${v.toFixed(1)} %`);

function row(label: string, e: ErrorSummary, metrics: readonly Metric[]): string {
  return `| ${label} | ${metrics.map((m) => pct(e.mape[m])).join(' | ')} | ${pct(e.objective)} | ${e.ok} | ${e.failed} |`;
}

type Rows = [string, ErrorSummary][];

/** The rows of the error tables, the same in summary.md and index.html. */
export const cvRows = (cv: NonNullable<TuneResult['cv']>): Rows => [
  ['current values, left-out', cv.current],
  ['fitted, on training folds (mean)', cv.fitted],
  ['fitted, left-out', cv.leftOut],
];

export const foldRows = (f: TuneResult['folds'][number]): Rows => [
  ['current, train', f.currentTrain],
  ['fitted, train', f.fitted],
  ['current, left-out', f.currentLeftOut],
  ['fitted, left-out', f.leftOut],
];

export const finalRows = (r: TuneResult): Rows => [
  ['current values', r.final.current],
  ['fitted', r.final.fitted],
];

/**
 * Per metric (and the objective): the pooled left-out figure before and after, and in how many
 * folds the fit did better, worse or the same on its left-out experiments, so a pooled gain
 * that rests on one fold shows.
 */
export function foldTally(r: TuneResult, metrics: readonly Metric[]): string[][] {
  const rows: string[][] = [];
  const cv = r.cv;
  if (!cv) return rows;
  const of = (e: ErrorSummary, m: Metric | 'objective') => (m === 'objective' ? e.objective : e.mape[m]);
  for (const m of [...metrics, 'objective' as const]) {
    let better = 0;
    let worse = 0;
    let same = 0;
    for (const f of r.folds) {
      const a = of(f.currentLeftOut, m);
      const b = of(f.leftOut, m);
      if (a === undefined || b === undefined || !Number.isFinite(a) || !Number.isFinite(b)) continue;
      const vote = foldVote(a, b);
      if (vote > 0) better++;
      else if (vote < 0) worse++;
      else same++;
    }
    rows.push([
      m === 'objective' ? 'objective' : `${m} MAPE`,
      pct(of(cv.current, m)),
      pct(of(cv.leftOut, m)),
      String(better),
      String(worse),
      String(same),
    ]);
  }
  return rows;
}

export const FOLD_TALLY_HEAD = [
  '',
  'current, left-out (pooled)',
  'fitted, left-out (pooled)',
  'folds better',
  'folds worse',
  'folds same',
];

/** Where the objective is shown: what the 1 000 % cap means. */
export const CAP_NOTE =
  `Each metric's APE enters the objective capped at ${FAILURE_APE} %, and a failed simulation counts ${FAILURE_APE} %: ` +
  'a predicted overload with a 50 000 % TTFT error is no worse than a simulation that failed, and one such ' +
  'experiment cannot drown every other. The MAPE columns are not capped.';

function table(metrics: readonly Metric[], rows: [string, ErrorSummary][]): string[] {
  return [
    `| | ${metrics.map((m) => `${m} MAPE`).join(' | ')} | objective | ok | failed |`,
    `|---|${metrics.map(() => '---:').join('|')}|---:|---:|---:|`,
    ...rows.map(([l, e]) => row(l, e, metrics)),
  ];
}

/** How many experiments the fit used, and which of its scope it left out and why. */
export function experimentsNote(o: Pick<TuneOutcome, 'experiments' | 'leftOut'>): string {
  const left = o.leftOut.map((x) => `${x.name} (${x.why})`).join('; ');
  return `Experiments: ${o.experiments.length}${left ? `; left out: ${left}` : ''}.`;
}

/** The objective in words: how experiments combine, and the metrics with their weights. */
export function objectiveNote(metrics: readonly Metric[], spec: ObjectiveSpec): string {
  const weighted = metrics.some((m) => (spec.weights[m] ?? 1) !== 1);
  const names = metrics.map((m) => (weighted ? `${m} (weight ${spec.weights[m] ?? 1})` : m)).join(', ');
  const over = spec.agg === 'rmse' ? 'root mean square over experiments' : 'mean over experiments';
  return `${over} of the ${weighted ? 'weighted ' : ''}mean APE of ${names} (whole-run points)`;
}

/** What a search ran: method, candidates, racing, polish, widened ranges and fields that ended on a bound. */
export function searchNote(s: SearchResult, what = 'candidates'): string {
  const parts = [`${s.method}, ${s.evaluations} ${what}`];
  if (s.polish)
    parts.push(
      `${s.polish.evaluations} of them on full replays: the start ${s.polish.start.toFixed(3)}, the search's winner ${s.polish.from.toFixed(3)}, kept ${s.polish.to.toFixed(3)}`,
    );
  if (s.race && s.race.screened > 0)
    parts.push(
      `racing: ${s.race.stopped} of ${s.race.screened} screened candidates stopped after a quarter of the experiments`,
    );
  if (s.widened && s.widened.length > 0)
    parts.push(
      `range widened towards its physical limit: ${s.widened.map((w) => `${w.name} ${w.lo}:${w.hi}`).join(', ')}`,
    );
  if (s.onBound && s.onBound.length > 0)
    parts.push(
      `ended on a bound: ${s.onBound.map((b) => `${b.name} = ${b.value} (${b.bound === 'lo' ? 'lower' : 'upper'} bound)`).join(', ')}`,
    );
  return parts.join('; ');
}

/** The tuning report: verdict, cross-validated before/after tables, per-fold tables, values. */
export function renderTuneMd(
  o: TuneOutcome,
  opts: {
    latencyModel: string;
    metrics: readonly Metric[];
    written: string | null;
    values: Record<string, number>;
  },
): string {
  const r = o.result!;
  const m = opts.metrics;
  const out = [
    `# blis-eval tune: ${opts.latencyModel} on ${o.scope}`,
    '',
    `**Verdict:** ${r.write ? (opts.written ? `written to \`${opts.written}\`` : 'would be written (dry run)') : 'not written'}: ${r.why}.`,
    '',
    `${experimentsNote(o)} Objective: ${objectiveNote(m, o.objective)}. Start: ${o.start.from}. Search: ${searchNote(r.final.search, 'candidates in the final fit')}.`,
    '',
    CAP_NOTE,
    '',
  ];
  if (r.cv) {
    out.push(
      '## Cross-validated error',
      '',
      ...table(m, cvRows(r.cv)),
      '',
      `Fitted-to-left-out gap: ${(r.cv.leftOut.objective - r.cv.fitted.objective).toFixed(2)} points of objective.`,
      '',
      '## Per fold: wins and losses on the left-out experiments',
      '',
      `| ${FOLD_TALLY_HEAD.join(' | ')} |`,
      `|---|${FOLD_TALLY_HEAD.slice(1)
        .map(() => '---:')
        .join('|')}|`,
      ...foldTally(r, m).map((x) => `| ${x.join(' | ')} |`),
      '',
      '## Folds',
      '',
    );
    for (const f of r.folds) {
      out.push(
        `### ${f.name} (left out: ${f.test.join(', ')})`,
        '',
        ...table(m, foldRows(f)),
        '',
        `Search: ${searchNote(f.search)}.`,
        '',
      );
    }
  }
  out.push(
    '## Fit on all experiments',
    '',
    ...table(m, finalRows(r)),
    '',
    '## Values',
    '',
    '| field | start | fitted |',
    '|---|---:|---:|',
    ...Object.entries(opts.values).map(([k, v]) => `| ${k} | ${o.start.values[k] ?? ''} | ${v} |`),
    '',
  );
  return out.join('\n');
}
