import { hasRegression, type MetricDelta, type PointChange } from '../nightly/compare.ts';
import type { Baseline, NightlyOutcome } from '../nightly/outcome.ts';
import { INPUT_LABELS } from '../nightly/schema.ts';
import { pct, shortHash, statusLabel } from './format.ts';
import type { Table } from './tables.ts';

/**
 * The nightly report's sentences and tables as plain text, shared by summary.md and index.html
 * so both always say the same thing.
 */

/** Percentage points, signed, one decimal; a tiny move reads "0.0" (not "±0.0", which reads as an uncertainty). */
export function pp(v: number): string {
  if (Math.abs(v) < 0.05) return '0.0';
  return `${v > 0 ? '+' : ''}${v.toFixed(1)}`;
}

const metricName = (d: MetricDelta) => `${d.latencyModel} ${d.metric}`;

/** How many names a one-line verdict lists before "…". */
const VERDICT_NAMES = 4;

function named(items: string[]): string {
  const shown = items.slice(0, VERDICT_NAMES).join(', ');
  return items.length > VERDICT_NAMES ? `${shown}, … (${items.length - VERDICT_NAMES} more)` : shown;
}

/** The verdict: the first thing both reports say. */
export function verdict(o: NightlyOutcome): { pass: boolean; label: 'PASS' | 'REGRESSION'; text: string } {
  const c = o.comparison;
  if (c === null) {
    return { pass: true, label: 'PASS', text: 'no regression: first run, no baseline to compare with' };
  }
  if (!hasRegression(c)) {
    const better = c.improvements.length + c.pointImprovements.length;
    return {
      pass: true,
      label: 'PASS',
      text: `no regression${better > 0 ? ` (${c.improvements.length} metric(s), ${c.pointImprovements.length} point(s) improved)` : ''}`,
    };
  }
  const parts: string[] = [];
  if (c.regressions.length > 0) {
    parts.push(
      `${c.regressions.length} metric(s) worse than the baseline by more than the margin: ` +
        named(c.regressions.map((d) => `${metricName(d)} ${pp(d.delta)} pp`)),
    );
  }
  if (c.pointRegressions.length > 0) {
    parts.push(
      `${c.pointRegressions.length} point(s) ok before, now failed or n.a.: ` +
        named(
          c.pointRegressions.map(
            (p) => `${p.experiment}/${p.point} ${p.latencyModel} (${statusLabel(p.to)})`,
          ),
        ),
    );
  }
  return { pass: false, label: 'REGRESSION', text: parts.join('; ') };
}

function recordName(r: NightlyOutcome['record']): string {
  return `${r.timestamp}${r.commit ? `, commit ${r.commit.slice(0, 10)}` : ''}, run ${r.runId}`;
}

/** One line on what tonight is compared with, and which inputs changed since. */
export function baselineLine(b: Baseline | null, o: NightlyOutcome): string {
  if (b === null) return 'Baseline: none (first record of this history).';
  const from =
    b.source === 'file'
      ? `results file ${b.path ?? ''}`
      : b.skipped && b.skipped > 0
        ? `last history record that passed (${b.skipped} later record(s) failed the gate and were not accepted)`
        : 'last history record that passed';
  const changed = o.comparison?.changedInputs ?? [];
  const labels = INPUT_LABELS.filter(([k]) => changed.includes(k)).map(([, l]) => l);
  return (
    `Baseline: ${from} (${recordName(b.record)}). ` +
    `Changed inputs since: ${labels.length > 0 ? labels.join(', ') : 'none'}.`
  );
}

export function runLine(o: NightlyOutcome): string {
  const gt = o.record.inputs.groundTruth;
  const opt = o.record.options;
  return (
    `Tonight: ${recordName(o.record)}; ground truth ${gt.path} (${shortHash(gt.sha256)}); ` +
    `workload form ${opt.workloadForm}; KV leak ${opt.kvLeak ?? 'v0.6.1'}.`
  );
}

/** Every compared (latency model, metric), long form. */
export function deltaTable(deltas: readonly MetricDelta[]): Table {
  return {
    head: [
      'latency model',
      'metric',
      'baseline MAPE',
      'MAPE now',
      'change (pp)',
      'median point change (pp) [95 % CI]',
      'margin (pp)',
      'verdict',
    ],
    align: ['l', 'l', 'r', 'r', 'r', 'r', 'r', 'l'],
    rows: deltas.map((d) => [
      d.latencyModel,
      d.metric,
      pct(d.baseline),
      pct(d.now),
      pp(d.delta),
      d.paired
        ? `${pp(d.paired.median)} [${pp(d.paired.ci95[0])}, ${pp(d.paired.ci95[1])}], n = ${d.paired.n}`
        : '— (CI rule)',
      d.margin.toFixed(1),
      d.verdict,
    ]),
  };
}

/** Points whose status changed; at most `limit` rows (the verdict already gives the count). */
export function pointTable(changes: readonly PointChange[], limit = Number.POSITIVE_INFINITY): Table {
  return {
    head: ['experiment', 'point', 'latency model', 'seed', 'baseline', 'now'],
    align: ['l', 'l', 'l', 'r', 'l', 'l'],
    rows: changes
      .slice(0, limit)
      .map((p) => [
        p.experiment,
        p.point,
        p.latencyModel,
        String(p.seed),
        statusLabel(p.from),
        statusLabel(p.to),
      ]),
  };
}

/** The runs of the history, newest first: when, which commit and inputs, how many points ran. */
export function historyTable(o: NightlyOutcome): Table {
  return {
    head: ['time', 'commit', 'run', 'ground truth', 'hardware config', 'ok', 'n.a.', 'failed'],
    align: ['l', 'l', 'l', 'l', 'l', 'r', 'r', 'r'],
    rows: [...o.history].reverse().map((r) => {
      const sum = (k: 'ok' | 'notApplicable' | 'failed') => r.models.reduce((a, m) => a + m.counts[k], 0);
      return [
        r.timestamp,
        r.commit?.slice(0, 10) ?? '—',
        r.runId,
        shortHash(r.inputs.groundTruth.sha256),
        shortHash(r.inputs.hardwareConfig.sha256),
        String(sum('ok')),
        String(sum('notApplicable')),
        String(sum('failed')),
      ];
    }),
  };
}
