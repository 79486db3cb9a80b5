/**
 * The knee report's cells and lines (eval/knee.ts computes it), shared by the terminal,
 * summary.md and index.html so the three show the same figures.
 */
import type { Knee, KneeError, KneeExperiment, KneeModelSummary, KneeReport } from '../eval/knee-types.ts';
import type { EvalRun } from '../eval/types.ts';
import { DASH, ms, pct, signedPct, transferredLabel } from './format.ts';
import type { Table } from './tables.ts';

const UNIT = { rate: 'req/s', concurrency: 'in flight' } as const;

/** A load with about three significant digits: "0.5", "4.00", "94.5", "183". */
export function loadText(v: number): string {
  return v.toFixed(v >= 100 ? 0 : v >= 10 ? 1 : 2);
}

/** "94.5", "> 183", "≤ 4.00". */
export function kneeText(k: Knee): string {
  if (k.kind === 'at') return loadText(k.load);
  return `${k.kind === 'above' ? '>' : '≤'} ${loadText(k.load)}`;
}

/** "+12.3%", "≥ +95.0%", "≤ -20.0%", or "agree" where both sides are censored alike. */
export function kneeErrorText(e: KneeError | null): string {
  if (e === null) return DASH;
  if (e.kind === 'agree') return 'agree';
  if (e.kind === 'exact') return signedPct(e.pct);
  return `${e.kind === 'atLeast' ? '≥' : '≤'} ${signedPct(e.pct)}`;
}

/** "1.00–183 req/s, 7 loads". */
function rangeText(x: KneeExperiment): string {
  const loads = x.measured.series.map((s) => s.load);
  const lo = Math.min(...loads);
  const hi = Math.max(...loads);
  const span = lo === hi ? loadText(lo) : `${loadText(lo)}–${loadText(hi)}`;
  return `${span} ${UNIT[x.axis]}, ${loads.length} load${loads.length === 1 ? '' : 's'}`;
}

/**
 * One row per experiment × latency model: the measured knee, the predicted one, the error (a model
 * without predictions reads n.a.; its reason is in the not-applicable table and results.json).
 */
export function kneeTable(report: KneeReport): Table {
  const rows: string[][] = [];
  for (const x of report.experiments) {
    const ref = x.measured.referenceTtftMs;
    x.predicted.forEach((p, i) => {
      rows.push([
        i === 0 ? x.experiment : '',
        i === 0 ? rangeText(x) : '',
        i === 0 ? `${kneeText(x.measured.knee)}${ref === null ? '' : ` (TTFT ${ms(ref)} ms low)`}` : '',
        transferredLabel(p.latencyModel, p.tablesFrom),
        p.side === null ? 'n.a.' : kneeText(p.side.knee),
        kneeErrorText(p.error),
        p.direction ?? DASH,
      ]);
    });
  }
  return {
    head: ['experiment', 'loads', 'measured knee', 'latency model', 'predicted knee', 'error', 'direction'],
    align: ['l', 'l', 'r', 'l', 'r', 'r', 'l'],
    rows,
  };
}

/** One model over the report: how many knees it found, its mean |error| where both sides have one, which way it errs. */
export function kneeSummaryLine(m: KneeModelSummary): string {
  if (m.experiments === 0) return `${m.latencyModel}: no predicted knee`;
  const exact =
    m.exact > 0
      ? `a knee on both sides in ${m.exact} (mean |error| ${pct(m.meanAbsErrorPct)})`
      : 'a knee on both sides in none';
  return (
    `${m.latencyModel}: ${m.experiments} experiment(s), ${exact}; predicted knee later than measured ` +
    `(the model keeps up where the server did not) in ${m.later}, earlier in ${m.earlier}, the same in ${m.same}`
  );
}

/** The section's notes: one-load experiments left out, and the definition. */
export function kneeNotes(report: KneeReport): string[] {
  const skipped =
    report.skippedSingleLoad.length > 0
      ? [
          `Not listed: ${report.skippedSingleLoad.length} experiment(s) with one load where neither the ` +
            'measurement nor any model is past the knee.',
        ]
      : [];
  return [...skipped, `Knee: ${report.definition}`];
}

/** The run's knee report, when it has one with at least one experiment. */
export function kneesOf(run: EvalRun): KneeReport | null {
  return run.knees && run.knees.experiments.length > 0 ? run.knees : null;
}
