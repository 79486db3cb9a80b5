import type { TopLevelSpec } from 'vega-lite';
import type { Metric } from '../groundtruth/experiment.ts';
import type { ErrorSummary, TuneOutcome, TuneResult } from '../tune/outcome.ts';
import { bottomLegend } from './chart-layout.ts';
import { DASH, pct } from './format.ts';
import { escapeHtml, htmlPage, htmlTable, para, section } from './html-page.ts';
import { renderSvg } from './svg.ts';
import type { Table } from './tables.ts';
import {
  CAP_NOTE,
  cvRows,
  experimentsNote,
  FOLD_TALLY_HEAD,
  finalRows,
  foldRows,
  foldTally,
  objectiveNote,
  type renderTuneMd,
  searchNote,
} from './tune-md.ts';

/** What the tuning reports are told beside the outcome (the same for summary.md and index.html). */
export type TuneReportOptions = Parameters<typeof renderTuneMd>[1];

const CSS = `
.verdict { padding: .6em 1em; font-weight: bold; border: 1px solid; }
.verdict.yes { background: #e3f4e1; border-color: #9fcf99; } .verdict.no { background: #fde2e1; border-color: #e0a2a0; }
`;

/** A parameter value as the search keys its grid: 12 significant digits, in the shortest form. */
const round = (v: number) => Number(v.toPrecision(12));
const num = (v: number | undefined) => (v === undefined || !Number.isFinite(v) ? DASH : String(round(v)));
const cols = (n: number, a: 'l' | 'r'): ('l' | 'r')[] => Array.from({ length: n }, () => a);

/** Rows of error summaries: MAPE per objective metric, the objective, ok and failed counts. */
export function errorTable(metrics: readonly Metric[], rows: [string, ErrorSummary][]): Table {
  return {
    head: ['', ...metrics.map((m) => `${m} MAPE`), 'objective', 'ok', 'failed'],
    align: ['l', ...cols(metrics.length + 3, 'r')],
    rows: rows.map(([label, e]) => [
      label,
      ...metrics.map((m) => pct(e.mape[m])),
      pct(e.objective),
      String(e.ok),
      String(e.failed),
    ]),
  };
}

const change = (before: number | undefined, after: number | undefined) => `${pct(before)} → ${pct(after)}`;

/** One row per fold: left-out error before (current values) → after (fitted), per metric. */
export function foldOverviewTable(r: TuneResult, metrics: readonly Metric[]): Table {
  return {
    head: [
      'fold',
      'left out',
      ...metrics.map((m) => `${m} left-out`),
      'objective left-out',
      'objective train (fitted)',
      'gap',
      'candidates',
    ],
    align: ['l', 'l', ...cols(metrics.length + 4, 'r')],
    rows: r.folds.map((f) => [
      f.name,
      f.test.join(', '),
      ...metrics.map((m) => change(f.currentLeftOut.mape[m], f.leftOut.mape[m])),
      change(f.currentLeftOut.objective, f.leftOut.objective),
      pct(f.fitted.objective),
      gap(f.fitted.objective, f.leftOut.objective),
      String(f.search.evaluations),
    ]),
  };
}

function gap(fitted: number, leftOut: number): string {
  if (!Number.isFinite(fitted) || !Number.isFinite(leftOut)) return DASH;
  const g = leftOut - fitted;
  return `${g >= 0 ? '+' : ''}${g.toFixed(1)}`;
}

/** Start against fitted values of the searched fields. */
export function valuesTable(o: TuneOutcome, values: Readonly<Record<string, number>>): Table {
  return {
    head: ['field', 'start', 'fitted', 'change'],
    align: ['l', 'r', 'r', 'r'],
    rows: Object.entries(values).map(([k, v]) => {
      const s = o.start.values[k];
      const d = s === undefined ? undefined : v - s;
      return [
        k,
        num(s),
        num(v),
        d === undefined || !Number.isFinite(d) ? DASH : `${d >= 0 ? '+' : ''}${round(d)}`,
      ];
    }),
  };
}

/** The experiments tuned on: name, model, TP and how many replays each has. */
function experimentsTable(o: TuneOutcome): Table {
  return {
    head: ['experiment', 'model', 'gpu', 'tp', 'family'],
    align: ['l', 'l', 'l', 'r', 'l'],
    rows: o.experiments.map((x) => [x.name, x.model, x.gpu, String(x.tp), x.family]),
  };
}

export const FINAL_SEARCH = 'final (all experiments)';

/**
 * Best so far against candidates evaluated, one line per search (the final fit and each
 * fold's), on the search's own objective: it starts at 1 candidate with the current values'
 * objective (every search scores them first) and never rises. Log-scale y when the values
 * span more than a factor of ten. Null without data.
 */
export function convergenceSpec(r: TuneResult): TopLevelSpec | null {
  const searches: [string, TuneResult['final']['search']][] = [
    [FINAL_SEARCH, r.final.search],
    ...r.folds.map((f): [string, TuneResult['final']['search']] => [`fold ${f.name}`, f.search]),
  ];
  const rows: { search: string; evaluations: number; best: number }[] = [];
  // A step line needs only the points where the best value changes, and the last one: a
  // search of 1 000 candidates would otherwise put 1 000 points into the SVG.
  for (const [name, s] of searches) {
    const finite = s.trace.filter((t) => Number.isFinite(t.best));
    finite.forEach((t, i) => {
      if (i === finite.length - 1 || t.best !== (i === 0 ? undefined : finite[i - 1]!.best))
        rows.push({ search: name, evaluations: t.evaluations, best: t.best });
    });
  }
  if (rows.length === 0) return null;
  const ys = rows.map((x) => x.best);
  const lo = Math.min(...ys);
  const hi = Math.max(...ys);
  const log = lo > 0 && hi / lo > 10;
  const domain = searches.map(([n]) => n).filter((n) => rows.some((x) => x.search === n));
  return {
    data: { values: rows },
    width: 560,
    height: 280,
    mark: { type: 'line', interpolate: 'step-after', point: true },
    encoding: {
      x: {
        field: 'evaluations',
        type: 'quantitative',
        title: 'candidates evaluated',
        axis: { format: 'd', tickMinStep: 1 },
      },
      y: {
        field: 'best',
        type: 'quantitative',
        title: `best so far: objective (%)${log ? ', log scale' : ''}`,
        scale: log ? { type: 'log' } : { zero: false },
      },
      color: {
        field: 'search',
        type: 'nominal',
        title: 'search',
        scale: { domain, scheme: 'category10' },
        sort: domain,
        // Under the chart, as wide as the page: fold names (model ids) are long.
        legend: bottomLegend(domain),
      },
      order: { field: 'evaluations', type: 'quantitative' },
    },
  };
}

/**
 * index.html of a tuning run: verdict, cross-validated before/after table, per-fold tables,
 * the fit on all experiments, values and a convergence chart as inline SVG. One file with
 * inline CSS and no scripts; deterministic (the same outcome renders to the same bytes).
 */
export async function renderTuneHtml(o: TuneOutcome, opts: TuneReportOptions): Promise<string> {
  const title = `blis-eval tune: ${opts.latencyModel} on ${o.scope}`;
  const r = o.result;
  const body: string[] = [`<h1>${escapeHtml(title)}</h1>`];
  if (!r) {
    body.push(para(`Shard run: ${o.evaluated} evaluations recorded; merge the shards to select and report.`));
  } else {
    const m = opts.metrics;
    const verdict = r.write
      ? opts.written
        ? `written to ${opts.written}`
        : 'would be written (dry run)'
      : 'not written';
    body.push(
      `<p class="verdict ${r.write ? 'yes' : 'no'}">${escapeHtml(`Verdict: ${verdict}: ${r.why}.`)}</p>`,
      `<ul>${[
        experimentsNote(o),
        `Objective: ${objectiveNote(m, o.objective)}. ${CAP_NOTE}`,
        `Start: ${o.start.from}.`,
        `Search: ${searchNote(r.final.search, 'candidates in the final fit')}.`,
      ]
        .map((x) => `<li>${escapeHtml(x)}</li>`)
        .join('')}</ul>`,
    );
    if (r.cv) {
      body.push(
        section(
          'Cross-validated error',
          [
            htmlTable(errorTable(m, cvRows(r.cv)), 'No folds.'),
            para(
              `Fitted-to-left-out gap: ${gap(r.cv.fitted.objective, r.cv.leftOut.objective)} points of objective. Left-out rows pool every experiment once, scored by the fold that left it out.`,
              'note',
            ),
          ].join('\n'),
        ),
        section(
          'Per fold: wins and losses on the left-out experiments',
          htmlTable(
            { head: FOLD_TALLY_HEAD, align: ['l', 'r', 'r', 'r', 'r', 'r'], rows: foldTally(r, m) },
            'No folds.',
          ),
        ),
        section('Folds: left-out error before → after', htmlTable(foldOverviewTable(r, m), 'No folds.')),
      );
      for (const f of r.folds) {
        body.push(
          `<h3>${escapeHtml(`Fold ${f.name}`)}</h3>`,
          para(`Left out: ${f.test.join(', ')}. Trained on: ${f.train.join(', ')}.`, 'note'),
          htmlTable(errorTable(m, foldRows(f)), 'No scores.'),
          para(`Search: ${searchNote(f.search)}.`, 'note'),
        );
      }
    } else {
      body.push(section('Cross-validated error', para('No cross-validation (--cv none).', 'note')));
    }
    body.push(
      section('Fit on all experiments', htmlTable(errorTable(m, finalRows(r)), 'No scores.')),
      section('Values', htmlTable(valuesTable(o, opts.values), 'No values.')),
    );
    const spec = convergenceSpec(r);
    body.push(
      section(
        'Convergence',
        spec
          ? `${para('Best objective so far against candidates evaluated, for the final search and each fold’s search, on the objective the search ranks by (partial replays with --fidelity below 1; the full-replay figures are in the tables). Candidate 1 is the current values, exactly as they are: no line rises.', 'note')}\n<div class="chart">${await renderSvg(spec, 'convergence')}</div>`
          : para('No finite objective was recorded.', 'note'),
      ),
    );
  }
  body.push(section('Experiments', htmlTable(experimentsTable(o), 'No experiments.')));
  return htmlPage(title, CSS, body);
}
