import { COVERAGE_RULE } from '../eval/common-set.ts';
import { FAILURE_CLASS_DEFINITION } from '../eval/failure-class.ts';
import { ERROR_STATS_DEFINITION } from '../eval/stats.ts';
import { type EvalRun, HEADLINE_METRICS } from '../eval/types.ts';
import { derivedKvExperiments, gateLines, optionsLine, scopeNote, verdictBlocks } from './format.ts';
import { kneeNotes, kneeSummaryLine, kneesOf, kneeTable } from './knee.ts';
import { REPLAY_NOTE, replayTable } from './replay.ts';
import {
  accuracyTable,
  breakdownTables,
  commonTable,
  countsTable,
  experimentsTable,
  inputsTable,
  issuesTable,
  outliersTable,
  type Table,
} from './tables.ts';

/**
 * Text made safe in markdown, table cells included: one line, pipes and backslashes escaped, and
 * angle brackets as entities so a name like `<script>` is not raw HTML to a markdown viewer.
 */
function mdText(s: string): string {
  return s
    .replace(/\s+/g, ' ')
    .trim()
    .replaceAll('\\', '\\\\')
    .replaceAll('|', '\\|')
    .replaceAll('<', '&lt;')
    .replaceAll('>', '&gt;');
}

export function mdTable(t: Table): string[] {
  const row = (cells: readonly string[]) => `| ${cells.map(mdText).join(' | ')} |`;
  return [row(t.head), `|${t.align.map((a) => (a === 'r' ? '---:' : '---')).join('|')}|`, ...t.rows.map(row)];
}

/** A table, or a line saying it is empty (a header with no rows reads like a bug). */
function section(title: string, t: Table, empty: string): string[] {
  return [title, '', ...(t.rows.length > 0 ? mdTable(t) : [empty]), ''];
}

/** The verdict first: the --fail-above gate, the headline, the paired comparisons, the headline's table. */
function verdictSection(run: EvalRun): string[] {
  const gate = run.gate ? [...gateLines(run.gate).map((l) => `- **${mdText(l)}**`), ''] : [];
  const blocks = verdictBlocks(run, HEADLINE_METRICS).flatMap((b) => [
    mdText(b.heading),
    '',
    ...b.lines.map((l) => `- ${mdText(l)}`),
    '',
  ]);
  const rule = run.stats.common.lowCoverage.length > 0 ? [mdText(COVERAGE_RULE), ''] : [];
  return [
    '## Verdict',
    '',
    ...gate,
    ...blocks,
    ...rule,
    ...(commonTable(run).rows.length > 0 ? [...mdTable(commonTable(run)), ''] : []),
  ];
}

/** Where the server stops keeping up: the knee table, a line per model, the notes. */
function kneeSection(run: EvalRun): string[] {
  const report = kneesOf(run);
  if (report === null) return [];
  return [
    '## Where the server stops keeping up (knee)',
    '',
    ...mdTable(kneeTable(report)),
    '',
    ...report.models.map((m) => `- ${mdText(kneeSummaryLine(m))}`),
    ...kneeNotes(report).map((l) => `- ${mdText(l)}`),
    '',
  ];
}

/**
 * summary.md: what was measured against what, the accuracy tables with CIs, breakdowns,
 * the points without predictions and the experiments' replay facts. createdAt is its only
 * time stamp, so two runs on the same inputs differ in that line alone.
 */
export function renderSummaryMd(run: EvalRun): string {
  const out: string[] = [
    `# blis-eval evaluation ${mdText(run.runId)}`,
    '',
    `- tool: ${run.tool.name} ${run.tool.version}`,
    `- created: ${run.createdAt}`,
    `- complete: ${run.complete ? 'yes' : '**no: INCOMPLETE (interrupted)**, the tables cover the points that finished'}`,
    `- ${optionsLine(run)}`,
    '',
    ...section('## Inputs', inputsTable(run), 'No inputs.'),
    ...(run.inherited ?? []).map(
      (i) => `- ${mdText(i.gpu)} inherited from the hardware config's defaults entry: ${i.fields.join(', ')}`,
    ),
    ...(run.inherited ? [''] : []),
    '## Definitions',
    '',
    `- Latency percentiles: ${mdText(run.percentileDefinition)}`,
    `- Errors: ${mdText(ERROR_STATS_DEFINITION)}`,
    `- Scope: ${mdText(scopeNote(run))}`,
    '',
    ...verdictSection(run),
    ...section('## Accuracy (headline metrics)', accuracyTable(run, HEADLINE_METRICS), 'No ok points.'),
    ...kneeSection(run),
    ...section('## Point counts', countsTable(run), 'No points.'),
    ...section('## Replay vs measurement', replayTable(run), 'No point reports its requests.'),
    mdText(REPLAY_NOTE),
    '',
  ];
  for (const [by, t] of breakdownTables(run, HEADLINE_METRICS)) {
    out.push(...section(`## By ${by}`, t, 'No groups.'));
  }
  out.push(...section('## Outliers and their failure class', outliersTable(run), 'None.'));
  out.push(`- ${mdText(FAILURE_CLASS_DEFINITION)}`, '');
  out.push(...section('## Not applicable and failed points', issuesTable(run), 'None: every point is ok.'));
  out.push(...section('## Experiments', experimentsTable(run), 'No experiments.'));
  const derived = derivedKvExperiments(run);
  out.push(
    derived.length === 0
      ? 'Every experiment gave total_kv_blocks.'
      : `KV blocks derived from GPU memory (total_kv_blocks missing) for ${derived.length} experiment(s): ` +
          `${derived.map((e) => `${mdText(e.name)} (${e.meta.kvBlocks})`).join(', ')}.`,
  );
  return `${out.join('\n')}\n`;
}
