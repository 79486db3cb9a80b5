import { LATENCY_MODELS } from '../latency/types.ts';
import type { MetricDelta } from '../nightly/compare.ts';
import type { NightlyOutcome } from '../nightly/outcome.ts';
import { DASH, pct } from './format.ts';
import { baselineLine, pointTable, pp, runLine, verdict } from './nightly-tables.ts';
import { mdTable } from './summary-md.ts';
import type { Table } from './tables.ts';

/** Point rows shown in the chat summary; the rest are in index.html. */
const POINT_ROWS = 10;

/**
 * The compact table: one row per gated metric, one column per latency model, each cell
 * "MAPE now (Δ pp)". Regressions are bold, improvements italic.
 */
function compactTable(o: NightlyOutcome): Table {
  const models = LATENCY_MODELS.filter((m) => o.record.models.some((x) => x.latencyModel === m));
  const delta = (lm: string, metric: string): MetricDelta | undefined =>
    o.comparison?.metrics.find((d) => d.latencyModel === lm && d.metric === metric);
  const cell = (lm: string, metric: string) => {
    const now = o.record.models.find((m) => m.latencyModel === lm)?.metrics.find((s) => s.metric === metric);
    if (now === undefined) return DASH;
    const d = delta(lm, metric);
    if (d === undefined) return pct(now.mape);
    const text = `${pct(d.now)} (${pp(d.delta)})`;
    return d.verdict === 'regression' ? `**${text}**` : d.verdict === 'improvement' ? `_${text}_` : text;
  };
  return {
    head: ['metric', ...models.map((m) => `${m} MAPE`)],
    align: ['l', ...models.map(() => 'r' as const)],
    rows: o.metrics.map((metric) => [metric, ...models.map((lm) => cell(lm, metric))]),
  };
}

/**
 * summary.md: short enough to paste into a chat. The verdict first, then the compact table,
 * the points that stopped simulating, and one line on the rule and where the full report is.
 */
export function renderNightlyMd(o: NightlyOutcome): string {
  const v = verdict(o);
  const c = o.comparison;
  const out: string[] = [`**${v.label}** ${v.text}`, ''];
  if (o.corruption) {
    out.push(
      `Warning: the history was corrupted (line ${o.corruption.line}: ${o.corruption.reason}); ` +
        `kept aside as \`${o.corruption.movedTo}\`, a new history was started.`,
      '',
    );
  }
  out.push(runLine(o), baselineLine(o.baseline, o), '');
  out.push(...mdTable(compactTable(o)), '');
  out.push(
    c === null
      ? "MAPE of tonight's run; nothing to compare with."
      : `Cells: MAPE now (change vs baseline, pp); **bold** = regression, _italic_ = improvement.`,
  );
  if (c !== null && c.pointRegressions.length > 0) {
    out.push('', `Points ok in the baseline, now failed or n.a. (${c.pointRegressions.length}):`, '');
    out.push(...mdTable(pointTable(c.pointRegressions, POINT_ROWS)));
    if (c.pointRegressions.length > POINT_ROWS) {
      out.push('', `… and ${c.pointRegressions.length - POINT_ROWS} more (index.html).`);
    }
  }
  if (c !== null && c.pointImprovements.length > 0) {
    out.push('', `Points that simulate again: ${c.pointImprovements.length} (index.html).`);
  }
  if (c !== null) {
    out.push(
      '',
      `Gate: a metric regresses when the median of its per-point APE changes rises by more than ${c.maxRegression} pp ` +
        '(--max-regression) with a paired bootstrap 95 % CI above 0 (records without per-point APEs: its MAPE rises by more ' +
        'than that plus the smaller CI half-width of the two runs); a point regresses when it was ok and is not now. ' +
        'The baseline is the last record that passed (or --baseline); --accept-baseline makes tonight the baseline.',
    );
  }
  out.push('', `Full report: index.html (trends), ${o.evalDir}/summary.md (evaluator).`);
  return `${out.join('\n')}\n`;
}
