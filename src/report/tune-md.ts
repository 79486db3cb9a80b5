import type { Metric } from '../eval/types.ts';
import { FAILURE_APE } from '../tune/objective.ts';
import type { TuneOutcome } from '../tune/session.ts';
import type { ErrorSummary, TuneResult } from '../tune/tuner.ts';

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

function table(metrics: readonly Metric[], rows: [string, ErrorSummary][]): string[] {
  return [
    `| | ${metrics.map((m) => `${m} MAPE`).join(' | ')} | objective | ok | failed |`,
    `|---|${metrics.map(() => '---:').join('|')}|---:|---:|---:|`,
    ...rows.map(([l, e]) => row(l, e, metrics)),
  ];
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
    `# blis-eval tune: ${opts.latencyModel} on ${o.gpu.key}`,
    '',
    `**Verdict:** ${r.write ? (opts.written ? `written to \`${opts.written}\`` : 'would be written (dry run)') : 'not written'}: ${r.why}.`,
    '',
    `Experiments: ${o.experiments.length}. Objective: mean over experiments of the mean APE of ${m.join(', ')} (whole-run points; a failed simulation counts ${FAILURE_APE} %). Start: ${o.start.from}. Search: ${r.final.search.method}, ${r.final.search.evaluations} candidates in the final fit.`,
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
      '## Folds',
      '',
    );
    for (const f of r.folds) {
      out.push(
        `### ${f.name} (left out: ${f.test.join(', ')})`,
        '',
        ...table(m, foldRows(f)),
        '',
        `Search: ${f.search.method}, ${f.search.evaluations} candidates.`,
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
