import Table from 'cli-table3';
import { COVERAGE_RULE } from '../eval/common-set.ts';
import { failureClass, OUTLIER_RATIO, outlierMetric, outliers } from '../eval/failure-class.ts';
import type { KneeReport } from '../eval/knee-types.ts';
import { absPercentError } from '../eval/stats.ts';
import { type EvalRun, HEADLINE_METRICS, type PointResult } from '../eval/types.ts';
import type { Metric } from '../groundtruth/experiment.ts';
import {
  DASH,
  derivedKvExperiments,
  gateLines,
  groundTruthFlag,
  metricOf,
  modelLabel,
  ms,
  optionsLine,
  pct,
  ratio,
  replayNotes,
  scopeNote,
  signedPct,
  statusLabel,
  verdictBlocks,
} from './format.ts';
import { kneeSummaryLine, kneesOf, kneeTable } from './knee.ts';
import { replayTable } from './replay.ts';
import { groupPoints } from './tables.ts';

export interface TerminalOptions {
  verbose: boolean;
  /** Metric columns of the summary and verbose tables (default: the headline metrics). */
  metrics?: readonly Metric[];
  /** Columns to fit (default 80): tables wrap names and split columns to stay inside. */
  width?: number;
}

/** The breakdown-by-model table's metrics, in the order every table lists metrics. */
const BY_MODEL_METRICS: readonly Metric[] = ['ttft_mean', 'itl_mean', 'e2e_mean'];

type Align = 'left' | 'right';

/** The narrowest a wrapped last column gets ("predicted underload" fits). */
const MIN_WRAP = 19;

/** A borderless table (columns two spaces apart); `widths` wraps a column's cells at that width. */
function plain(head: string[], align: Align[], rows: string[][], widths?: (number | null)[]): string {
  const blank = Object.fromEntries(
    [
      'top',
      'top-mid',
      'top-left',
      'top-right',
      'bottom',
      'bottom-mid',
      'bottom-left',
      'bottom-right',
      'left',
      'left-mid',
      'mid',
      'mid-mid',
      'right',
      'right-mid',
    ].map((k) => [k, '']),
  );
  const t = new Table({
    head,
    colAligns: align,
    chars: { ...blank, middle: '  ' },
    style: { head: [], border: [], 'padding-left': 0, 'padding-right': 0 },
    ...(widths && { colWidths: widths, wordWrap: true }),
  });
  t.push(...rows);
  return t
    .toString()
    .split('\n')
    .map((l) => l.trimEnd())
    .join('\n');
}

/** Words wrapped at `width`, continuation lines indented by `indent`. */
export function wrap(text: string, width: number, indent = '  '): string {
  const lines: string[] = [];
  let line = '';
  for (const word of text.split(' ')) {
    if (line !== '' && line.length + 1 + word.length > width) {
      lines.push(line);
      line = indent + word;
    } else line = line === '' ? word : `${line} ${word}`;
  }
  if (line !== '') lines.push(line);
  return lines.join('\n');
}

/** metric × latency model: MAPE, median APE and bias over each model's own points; MAPE on the headline set. */
function accuracy(run: EvalRun, metrics: readonly Metric[]): string {
  const rows: string[][] = [];
  for (const metric of metrics) {
    run.stats.models.forEach((m, i) => {
      const s = metricOf(m, metric);
      const common = run.stats.common.stats.find((c) => c.latencyModel === m.latencyModel);
      const c = common === undefined ? undefined : metricOf(common, metric);
      rows.push([
        i === 0 ? metric : '',
        modelLabel(run.points, m.latencyModel),
        s === undefined ? '0' : String(s.n),
        pct(s?.mape),
        pct(s?.medianApe),
        signedPct(s?.meanPe),
        pct(c?.mape),
      ]);
    });
  }
  return plain(
    ['metric', 'latency model', 'n', 'MAPE', 'median', 'bias', 'headline'],
    ['left', 'left', 'right', 'right', 'right', 'right', 'right'],
    rows,
  );
}

function counts(run: EvalRun): string {
  return plain(
    ['latency model', 'ok', 'n.a.', 'failed'],
    ['left', 'right', 'right', 'right'],
    run.stats.models.map((m) => [
      modelLabel(run.points, m.latencyModel),
      String(m.counts.ok),
      String(m.counts.notApplicable),
      String(m.counts.failed),
    ]),
  );
}

/**
 * Rows under group headings: a long name (a model id, an experiment and point) gets a line of
 * its own, wrapped at its spaces within `width`, and its rows are indented beneath it, so no
 * name is cut or wrapped mid-word. Each column is as wide as its widest cell; with `fitLast`,
 * the last one wraps in what the others leave of the width.
 */
function grouped(
  head: string[],
  align: Align[],
  groups: [string, string[][]][],
  width: number,
  fitLast = false,
): string {
  const rows = groups.flatMap(([, members]) => members);
  const widths = head.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length + (i === 0 ? 2 : 0))));
  if (fitLast) {
    const others = widths.slice(0, -1).reduce((a, w) => a + w + 2, 0);
    widths[widths.length - 1] = Math.min(widths.at(-1)!, Math.max(MIN_WRAP, width - others));
  }
  // One headless table per group at the same widths (the first column two narrower, indented),
  // so the columns line up under the one header.
  const out = plain(head, align, [], widths).split('\n');
  const inner = [widths[0]! - 2, ...widths.slice(1)];
  for (const [name, members] of groups) {
    out.push(
      wrap(name, width, '    '),
      ...plain([], align, members, inner)
        .split('\n')
        .map((l) => `  ${l}`),
    );
  }
  return out.join('\n');
}

function byModel(run: EvalRun, width: number): string {
  const groups = new Map<string, string[][]>();
  for (const g of run.stats.breakdowns) {
    if (g.by !== 'model') continue;
    const rows = groups.get(g.key) ?? [];
    const label = modelLabel(groupPoints(run, 'model', g.key), g.latencyModel);
    rows.push([label, ...BY_MODEL_METRICS.map((m) => pct(metricOf(g, m)?.mape))]);
    groups.set(g.key, rows);
  }
  return grouped(
    ['model / latency model', ...BY_MODEL_METRICS],
    ['left', ...BY_MODEL_METRICS.map((): Align => 'right')],
    [...groups],
    width,
  );
}

/**
 * Replay-check lines, one per point (what the replay sent against what was measured, and the
 * label): every checked point when verbose, else the mismatches and a count of the rest.
 */
function replayLines(run: EvalRun, width: number, verbose: boolean): string[] {
  const t = replayTable(run);
  const shown = verbose ? t.rows : t.rows.filter((r) => r.at(-1) !== 'ok');
  const lines = shown.map((r) => {
    const [experiment, point, form, ...rest] = r;
    const check = rest.pop()!;
    const figures = rest.map((v, i) => `${t.head[i + 3]} ${v}`).join(', ');
    return wrap(`- ${experiment} ${point} (${form}): ${figures}: ${check}`, width, '    ');
  });
  const matching = t.rows.length - shown.length;
  if (matching > 0) {
    const text = `- ${matching} other checked point(s) match within 5 % (listed in summary.md, and here with --verbose)`;
    lines.push(wrap(text, width, '    '));
  }
  return lines;
}

/** "<experiment> <point>", with the ground truth's overloaded flag where it has one. */
function pointHeading(p: PointResult): string {
  const flag = groundTruthFlag(p.meta);
  return `${p.experiment} ${p.point}${flag ? ` [ground truth: ${flag}]` : ''}`;
}

/** Outliers under their point: the worst metric, measured and predicted, their ratio and the class. */
function outlierList(run: EvalRun, width: number): string {
  const groups = new Map<string, string[][]>();
  for (const p of outliers(run.points)) {
    const key = pointHeading(p);
    const rows = groups.get(key) ?? [];
    const seed = run.options.seeds > 1 ? ` seed ${p.seed}` : '';
    const cls = failureClass(p);
    const w = outlierMetric(p, cls);
    rows.push([
      `${modelLabel([p], p.latencyModel)}${seed}`,
      w?.metric ?? DASH,
      ms(w?.measured),
      ms(w?.predicted),
      ratio(w?.ratio),
      cls ?? 'unexplained',
    ]);
    groups.set(key, rows);
  }
  // The point is each group's heading: the first column holds only the model (and seed).
  const head = ['latency model', 'metric', 'measured', 'predicted', 'ratio', 'class'];
  return grouped(head, ['left', 'left', 'right', 'right', 'right', 'left'], [...groups], width, true);
}

/** The knee per experiment (measured, then each model's with its error) and a line per model. */
function kneeBlock(report: KneeReport, width: number): string[] {
  const t = kneeTable(report);
  const groups: [string, string[][]][] = [];
  for (const r of t.rows) {
    const [experiment, loads, measured, ...rest] = r;
    if (experiment !== '')
      groups.push([wrap(`${experiment} (${loads}): measured knee ${measured}`, width), []]);
    groups.at(-1)![1].push(rest);
  }
  const title =
    `Where the server stops keeping up (knee): the lowest load whose mean TTFT exceeds ${report.factor}x ` +
    "the lowest load's, measured and predicted (summary.md defines it):";
  return [
    wrap(title, width, ''),
    grouped(t.head.slice(3), ['left', 'right', 'right', 'left'], groups, width),
    ...report.models.map((m) => wrap(`- ${kneeSummaryLine(m)}`, width, '    ')),
  ];
}

/** Every point × latency model (× seed): APE per metric, metrics split so each table fits. */
function pointsTables(run: EvalRun, metrics: readonly Metric[], width: number): string {
  const seeds = run.options.seeds > 1;
  const perTable = Math.max(1, Math.floor((width - (seeds ? 27 : 19)) / 11));
  const out: string[] = [];
  for (let i = 0; i < metrics.length; i += perTable) {
    const chunk = metrics.slice(i, i + perTable);
    const groups = new Map<string, string[][]>();
    for (const p of run.points) {
      const key = pointHeading(p);
      const rows = groups.get(key) ?? [];
      const seed = seeds ? ` seed ${p.seed}` : '';
      rows.push([`${modelLabel([p], p.latencyModel)}${seed}`, ...chunk.map((m) => apeCell(p, m))]);
      groups.set(key, rows);
    }
    out.push(
      grouped(
        ['point / latency model', ...chunk],
        ['left', ...chunk.map((): Align => 'right')],
        [...groups],
        width,
      ),
    );
  }
  return out.join('\n\n');
}

function apeCell(p: PointResult, m: Metric): string {
  if (p.status !== 'ok') return statusLabel(p.status);
  const meas = p.measured[m];
  const pred = p.predicted[m];
  return meas === undefined || pred === undefined ? DASH : pct(absPercentError(pred, meas));
}

/**
 * The evaluator's terminal report, inside `width` columns: the verdict (the headline and the paired comparisons),
 * accuracy with median APE beside the mean, counts, the breakdown by model, outliers with
 * their failure class and, verbose, every point's APE. Metrics keep one order everywhere.
 */
export function renderTerminal(run: EvalRun, opts: TerminalOptions): string {
  const metrics = opts.metrics ?? HEADLINE_METRICS;
  const width = opts.width ?? 80;
  const out: string[] = [];
  if (!run.complete) out.push(`INCOMPLETE (interrupted): ${run.points.length} points finished`, '');
  out.push(`blis-eval ${run.tool.version}  run ${run.runId}`, wrap(optionsLine(run), width, '    '), '');
  verdictBlocks(run, metrics).forEach((b, i) => {
    out.push(wrap(i === 0 ? `Verdict. ${b.heading}` : b.heading, width));
    for (const l of b.lines) out.push(wrap(`- ${l}`, width, '    '));
  });
  if (run.stats.common.lowCoverage.length > 0) out.push(wrap(COVERAGE_RULE, width, ''));
  out.push('');
  out.push(
    wrap(
      'Accuracy: MAPE, median APE and bias (+ = over-prediction) over every point each model ran; ' +
        'headline = MAPE on the headline (fair-comparison) set, — for a model left out of it.',
      width,
      '',
    ),
  );
  out.push(accuracy(run, metrics), '');
  out.push(counts(run), '');
  out.push('By model: MAPE', byModel(run, width), '');
  const replay = replayLines(run, width, opts.verbose);
  if (replay.length > 0) out.push('Replay vs measurement (replay / measured):', ...replay, '');
  if (outliers(run.points).length > 0) {
    const band = `[1/${OUTLIER_RATIO}, ${OUTLIER_RATIO}]`;
    const title =
      `Outliers: failed, or predicted / measured of a headline metric outside ${band} (shown: ttft_mean for ` +
      'an overload or underload, else the farthest metric), with their failure class:';
    out.push(wrap(title, width, ''), outlierList(run, width), '');
  }
  const knees = kneesOf(run);
  if (knees !== null) out.push(...kneeBlock(knees, width), '');
  const flagged = run.experiments.filter((e) => e.meta.overloaded).map((e) => e.name);
  if (flagged.length > 0) {
    const why = 'the importer saw the client fall behind its requested rate, or requests fail';
    out.push(wrap(`Flagged overloaded in the ground truth (${why}): ${flagged.join(', ')}`, width, ''), '');
  }
  if (opts.verbose) out.push('Points: APE per metric', pointsTables(run, metrics, width), '');
  if (run.gate) out.push(...gateLines(run.gate).map((l) => wrap(l, width)), '');
  out.push(wrap(scopeNote(run), width, ''));
  const notes = replayNotes(run);
  if (notes.length > 0)
    out.push(wrap(`Replay notes (arrivals drawn, closed loops): ${notes.join(', ')}`, width, ''));
  const derived = derivedKvExperiments(run);
  if (derived.length > 0) {
    const list = derived.map((e) => `${e.name} (${e.meta.kvBlocks})`).join(', ');
    out.push(wrap(`KV blocks derived from GPU memory (total_kv_blocks missing): ${list}`, width, ''));
  }
  return `${out.join('\n')}\n`;
}
