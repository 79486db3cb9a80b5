import type { TopLevelSpec } from 'vega-lite';
import type { Metric } from '../groundtruth/experiment.ts';
import { LATENCY_MODELS } from '../latency/types.ts';
import { COMPARISON_RULE, PAIRED_RULE } from '../nightly/compare.ts';
import type { NightlyOutcome } from '../nightly/outcome.ts';
import type { HistoryRecord } from '../nightly/schema.ts';
import { bottomLegend, facetColumns } from './chart-layout.ts';
import { escapeHtml, htmlPage, htmlTable, para, section } from './html-page.ts';
import { baselineLine, deltaTable, historyTable, pointTable, runLine, verdict } from './nightly-tables.ts';
import { renderSvg } from './svg.ts';

/**
 * The nightly index.html: verdict, regression and improvement tables, MAPE trend charts over the
 * whole history (inline SVG, no scripts) and a link to the full evaluator report. A pure function
 * of the outcome: the same history renders to the same bytes, in any time zone.
 */

/** Trend panels: plot size, its y axis (and slanted time labels) and the gap between panels, px. */
const TREND_PANEL = { width: 260, height: 180, axis: 100, spacing: 20 };

/**
 * MAPE over time, one panel per gated metric, one line per latency model. Time is epoch ms on
 * a UTC scale, so axis labels do not depend on the machine's time zone. The y scale is log:
 * MAPEs of one metric can differ by orders of magnitude between models (a MAPE of exactly 0 has
 * no place on it and is left out).
 */
export function trendSpec(
  history: readonly HistoryRecord[],
  metrics: readonly Metric[],
): TopLevelSpec | null {
  const rows: Record<string, string | number>[] = [];
  for (const r of history) {
    const time = Date.parse(r.timestamp);
    for (const m of r.models) {
      for (const s of m.metrics) {
        if (metrics.includes(s.metric) && s.mape > 0)
          rows.push({ time, metric: s.metric, latencyModel: m.latencyModel, mape: s.mape });
      }
    }
  }
  if (rows.length === 0) return null;
  const domain = LATENCY_MODELS.filter((lm) => rows.some((r) => r.latencyModel === lm));
  const shown = metrics.filter((m) => rows.some((r) => r.metric === m));
  return {
    data: { values: rows },
    facet: { field: 'metric', type: 'nominal', title: null, sort: [...metrics] },
    // Each panel carries its own y axis; the legend sits under the panels.
    columns: facetColumns(TREND_PANEL.width + TREND_PANEL.axis, shown.length, TREND_PANEL.spacing),
    spacing: TREND_PANEL.spacing,
    // Own x axis per panel: otherwise the empty cell of an incomplete last row gets an axis too.
    resolve: { scale: { y: 'independent' }, axis: { x: 'independent' } },
    spec: {
      width: TREND_PANEL.width,
      height: TREND_PANEL.height,
      mark: { type: 'line', point: true },
      encoding: {
        x: {
          field: 'time',
          type: 'temporal',
          title: 'UTC',
          scale: { type: 'utc' },
          axis: { format: '%Y-%m-%d %H:%M', labelAngle: -30, tickCount: 5 },
        },
        y: { field: 'mape', type: 'quantitative', title: 'MAPE (%)', scale: { type: 'log' } },
        color: {
          field: 'latencyModel',
          type: 'nominal',
          title: 'latency model',
          scale: { domain, scheme: 'category10' },
          legend: bottomLegend(domain),
        },
      },
    },
  };
}

const CSS = `
.verdict { padding: .6em 1em; font-weight: bold; } .pass { background: #e3f4e1; border: 1px solid #9cc79a; }
.fail { background: #fde2e1; border: 1px solid #e0a2a0; } .warn { background: #fff4d6; border: 1px solid #e6c66e; padding: .6em 1em; }
tr.regression td { background: #fde2e1; } tr.improvement td { background: #e3f4e1; }
`;

const byVerdict = (r: string[]) => r.at(-1) ?? '';

function changesSection(o: NightlyOutcome): string {
  const c = o.comparison;
  if (c === null)
    return section('Regressions and improvements', para('No baseline: nothing to compare.', 'note'));
  const changed = [...c.regressions, ...c.improvements];
  return section(
    'Regressions and improvements',
    [
      htmlTable(deltaTable(changed), 'No metric moved beyond its margin.', byVerdict),
      '<h3>Points ok in the baseline, now failed or not applicable</h3>',
      htmlTable(pointTable(c.pointRegressions), 'None.', () => 'regression'),
      '<h3>Points that simulate again</h3>',
      htmlTable(pointTable(c.pointImprovements), 'None.', () => 'improvement'),
      '<h3>Every compared metric</h3>',
      htmlTable(deltaTable(c.metrics), 'No metric in common with the baseline.', byVerdict),
      para(`Gate: --max-regression ${c.maxRegression} pp. ${PAIRED_RULE}${COMPARISON_RULE}`, 'note'),
    ].join('\n'),
  );
}

async function trendSection(o: NightlyOutcome): Promise<string> {
  const spec = trendSpec(o.history, o.metrics);
  const caption = `MAPE per metric and latency model over the ${o.history.length} run(s) of the history (UTC; log scale).`;
  if (spec === null) return section('Trends', para('No MAPE recorded yet.', 'note'));
  return section(
    'Trends',
    `${para(caption, 'note')}\n<div class="chart">${await renderSvg(spec, 'trend')}</div>`,
  );
}

export async function renderNightlyHtml(o: NightlyOutcome): Promise<string> {
  const v = verdict(o);
  const ev = o.evalDir;
  const links = ['index.html', 'summary.md', 'results.json', 'errors.csv']
    .map((f) => `<a href="${escapeHtml(`${ev}/${f}`)}">${escapeHtml(f)}</a>`)
    .join(' · ');
  const body = [
    `<h1>blis-eval nightly ${escapeHtml(o.record.timestamp.slice(0, 10))}</h1>`,
    para(`${v.label}: ${v.text}`, `verdict ${v.pass ? 'pass' : 'fail'}`),
    o.corruption
      ? para(
          `Warning: the history was corrupted (line ${o.corruption.line}: ${o.corruption.reason}); ` +
            `kept aside as ${o.corruption.movedTo}, a new history was started.`,
          'warn',
        )
      : '',
    para(runLine(o)),
    para(baselineLine(o.baseline, o)),
    `<p>Full evaluator report of tonight's run: ${links}</p>`,
    changesSection(o),
    await trendSection(o),
    section('History', htmlTable(historyTable(o), 'No runs.')),
  ].filter((s) => s !== '');
  return htmlPage(`blis-eval nightly ${o.record.timestamp.slice(0, 10)}`, CSS, body);
}
