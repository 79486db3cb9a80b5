import { COVERAGE_RULE } from '../eval/common-set.ts';
import { FAILURE_CLASS_DEFINITION } from '../eval/failure-class.ts';
import { ERROR_STATS_DEFINITION } from '../eval/stats.ts';
import { type EvalRun, HEADLINE_METRICS } from '../eval/types.ts';
import { charts } from './charts.ts';
import { derivedKvExperiments, gateLines, optionsLine, scopeNote, verdictBlocks } from './format.ts';
import { escapeHtml, htmlPage, htmlTable, para, section } from './html-page.ts';
import { kneeNotes, kneeSummaryLine, kneesOf, kneeTable } from './knee.ts';
import { REPLAY_NOTE, replayTable } from './replay.ts';
import { renderSvg } from './svg.ts';
import {
  accuracyTable,
  breakdownTables,
  commonTable,
  countsTable,
  experimentsTable,
  inputsTable,
  issuesTable,
  outliersTable,
} from './tables.ts';

/** The verdict first: the gate, the headline and the paired comparisons, then the headline's table. */
function verdict(run: EvalRun): string {
  const gate = run.gate
    ? `<ul class="gate">${gateLines(run.gate)
        .map((l) => `<li>${escapeHtml(l)}</li>`)
        .join('')}</ul>`
    : '';
  const blocks = verdictBlocks(run, HEADLINE_METRICS).map(
    (b, i) =>
      `<p>${escapeHtml(b.heading)}</p>\n<ul class="${i === 0 ? 'verdict' : 'paired'}">` +
      `${b.lines.map((l) => `<li>${escapeHtml(l)}</li>`).join('')}</ul>`,
  );
  const rule = run.stats.common.lowCoverage.length > 0 ? [para(COVERAGE_RULE, 'note')] : [];
  return [gate, ...blocks, ...rule, htmlTable(commonTable(run), 'No point every model ran.')].join('\n');
}

/** Where the server stops keeping up: the knee table, a line per model, the notes ('' when none). */
function kneeHtml(run: EvalRun): string {
  const report = kneesOf(run);
  if (report === null) return '';
  const lines = report.models.map((m) => `<li>${escapeHtml(kneeSummaryLine(m))}</li>`).join('');
  const notes = kneeNotes(report).map((n) => para(n, 'note'));
  return section(
    'Where the server stops keeping up (knee)',
    [htmlTable(kneeTable(report), 'No staged experiment.'), `<ul>${lines}</ul>`, ...notes].join('\n'),
  );
}

const CSS = `
.verdict li { font-weight: bold; }
.gate li { color: #a00; font-weight: bold; }
.incomplete { background: #fde2e1; border: 1px solid #e0a2a0; padding: .6em 1em; font-weight: bold; }
`;

async function chartSections(run: EvalRun): Promise<string[]> {
  const out: string[] = [];
  let i = 0;
  // One at a time and in order: the renders share Vega's global state.
  for (const c of charts(run)) {
    const svg = await renderSvg(c.spec, `chart${++i}`);
    out.push(
      section(c.title, `<p class="note">${escapeHtml(c.caption)}</p>\n<div class="chart">${svg}</div>`),
    );
  }
  return out;
}

/**
 * index.html: the verdict, the summary tables and four charts as inline SVG, one file with inline CSS
 * and no scripts. Deterministic: the same run renders to the same bytes.
 */
export async function renderHtml(run: EvalRun): Promise<string> {
  const facts = [
    `tool: ${run.tool.name} ${run.tool.version}`,
    `created: ${run.createdAt}`,
    `complete: ${run.complete ? 'yes' : 'no (interrupted)'}`,
    optionsLine(run),
  ];
  const derived = derivedKvExperiments(run);
  const kvNote =
    derived.length === 0
      ? 'Every experiment gave total_kv_blocks.'
      : `KV blocks derived from GPU memory (total_kv_blocks missing): ${derived.map((e) => `${e.name} (${e.meta.kvBlocks})`).join(', ')}.`;
  const definitions = [
    `Latency percentiles: ${run.percentileDefinition}`,
    `Errors: ${ERROR_STATS_DEFINITION}`,
    `Scope: ${scopeNote(run)}`,
  ];
  const body = [
    `<h1>blis-eval evaluation ${escapeHtml(run.runId)}</h1>`,
    run.complete
      ? ''
      : '<p class="incomplete">INCOMPLETE (interrupted): the tables cover the points that finished.</p>',
    `<ul>${facts.map((f) => `<li>${escapeHtml(f)}</li>`).join('')}</ul>`,
    section('Verdict', verdict(run)),
    section('Accuracy (headline metrics)', htmlTable(accuracyTable(run, HEADLINE_METRICS), 'No ok points.')),
    kneeHtml(run),
    section('Point counts', htmlTable(countsTable(run), 'No points.')),
    section(
      'Replay vs measurement',
      `${htmlTable(replayTable(run), 'No point reports its requests.')}\n<p>${escapeHtml(REPLAY_NOTE)}</p>`,
    ),
    ...(await chartSections(run)),
    ...breakdownTables(run, HEADLINE_METRICS).map(([by, t]) =>
      section(`By ${by}`, htmlTable(t, 'No groups.')),
    ),
    section(
      'Outliers and their failure class',
      `${htmlTable(outliersTable(run), 'None.')}\n<p class="note">${escapeHtml(FAILURE_CLASS_DEFINITION)}</p>`,
    ),
    section('Not applicable and failed points', htmlTable(issuesTable(run), 'None: every point is ok.')),
    section(
      'Experiments',
      `${htmlTable(experimentsTable(run), 'No experiments.')}\n<p>${escapeHtml(kvNote)}</p>`,
    ),
    section('Inputs', htmlTable(inputsTable(run), 'No inputs.')),
    section('Definitions', `<ul>${definitions.map((d) => `<li>${escapeHtml(d)}</li>`).join('')}</ul>`),
  ].filter((s) => s !== '');
  return htmlPage(`blis-eval ${run.runId}`, CSS, body);
}
