import Table from 'cli-table3';
import { failureClass, OUTLIER_APE, outliers, worstApe } from '../eval/failure-class.ts';
import { absPercentError, summaryPoints } from '../eval/stats.ts';
import { type EvalRun, HEADLINE_METRICS, type Metric, type PointResult } from '../eval/types.ts';
import {
  commonSetLine,
  DASH,
  derivedKvExperiments,
  gateLines,
  metricOf,
  oneLine,
  optionsLine,
  pct,
  scopeNote,
  signedPct,
  statusLabel,
  verdictLine,
} from './format.ts';
import { replayTable } from './replay.ts';

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
    ...(widths && { colWidths: widths, wordWrap: true, wrapOnWordBoundary: false }),
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

/** metric × latency model: MAPE, median APE and bias over each model's own points; MAPE on the common set. */
function accuracy(run: EvalRun, metrics: readonly Metric[]): string {
  const rows: string[][] = [];
  for (const metric of metrics) {
    run.stats.models.forEach((m, i) => {
      const s = metricOf(m, metric);
      const common = run.stats.common.stats.find((c) => c.latencyModel === m.latencyModel);
      const c = common === undefined ? undefined : metricOf(common, metric);
      rows.push([
        i === 0 ? metric : '',
        m.latencyModel,
        s === undefined ? '0' : String(s.n),
        pct(s?.mape),
        pct(s?.medianApe),
        signedPct(s?.meanPe),
        pct(c?.mape),
      ]);
    });
  }
  return plain(
    ['metric', 'latency model', 'n', 'MAPE', 'median', 'bias', 'common'],
    ['left', 'left', 'right', 'right', 'right', 'right', 'right'],
    rows,
  );
}

function counts(run: EvalRun): string {
  return plain(
    ['latency model', 'ok', 'n.a.', 'failed'],
    ['left', 'right', 'right', 'right'],
    run.stats.models.map((m) => [
      m.latencyModel,
      String(m.counts.ok),
      String(m.counts.notApplicable),
      String(m.counts.failed),
    ]),
  );
}

/**
 * Rows under group headings: a long name (a model id, an experiment and point) gets a line of
 * its own and its rows are indented beneath it, so no name is cut or wrapped mid-word.
 */
function grouped(head: string[], align: Align[], groups: [string, string[][]][]): string {
  const rows = groups.flatMap(([, members]) => members.map((r) => [`  ${r[0]}`, ...r.slice(1)]));
  const lines = plain(head, align, rows).split('\n');
  const out = [lines[0]!];
  let next = 1;
  for (const [name, members] of groups) {
    out.push(name, ...lines.slice(next, next + members.length));
    next += members.length;
  }
  return out.join('\n');
}

function byModel(run: EvalRun): string {
  const groups = new Map<string, string[][]>();
  for (const g of run.stats.breakdowns) {
    if (g.by !== 'model') continue;
    const rows = groups.get(g.key) ?? [];
    rows.push([g.latencyModel, ...BY_MODEL_METRICS.map((m) => pct(metricOf(g, m)?.mape))]);
    groups.set(g.key, rows);
  }
  return grouped(
    ['model / latency model', ...BY_MODEL_METRICS],
    ['left', ...BY_MODEL_METRICS.map((): Align => 'right')],
    [...groups],
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

function outlierList(run: EvalRun): string {
  const groups = new Map<string, string[][]>();
  for (const p of outliers(summaryPoints(run.points))) {
    const key = `${p.experiment} ${p.point}`;
    const rows = groups.get(key) ?? [];
    const seed = run.options.seeds > 1 ? ` seed ${p.seed}` : '';
    rows.push([`${p.latencyModel}${seed}`, pct(worstApe(p)), oneLine(failureClass(p) ?? 'unexplained', 40)]);
    groups.set(key, rows);
  }
  return grouped(['point / latency model', 'worst APE', 'class'], ['left', 'right', 'left'], [...groups]);
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
      const key = `${p.experiment} ${p.point}`;
      const rows = groups.get(key) ?? [];
      const seed = seeds ? ` seed ${p.seed}` : '';
      rows.push([`${p.latencyModel}${seed}`, ...chunk.map((m) => apeCell(p, m))]);
      groups.set(key, rows);
    }
    out.push(
      grouped(['point / latency model', ...chunk], ['left', ...chunk.map((): Align => 'right')], [...groups]),
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
 * The evaluator's terminal report, inside `width` columns: the verdict on the common set,
 * accuracy with median APE beside the mean, counts, the breakdown by model, outliers with
 * their failure class and, verbose, every point's APE. Metrics keep one order everywhere.
 */
export function renderTerminal(run: EvalRun, opts: TerminalOptions): string {
  const metrics = opts.metrics ?? HEADLINE_METRICS;
  const width = opts.width ?? 80;
  const out: string[] = [];
  if (!run.complete) out.push(`INCOMPLETE (interrupted): ${run.points.length} points finished`, '');
  out.push(`blis-eval ${run.tool.version}  run ${run.runId}`, wrap(optionsLine(run), width, '    '), '');
  out.push(wrap(`Verdict. ${commonSetLine(run)}`, width));
  const verdicts = run.stats.common.verdicts.filter((v) => metrics.includes(v.metric));
  for (const v of verdicts) out.push(wrap(`- ${verdictLine(v)}`, width, '    '));
  out.push('');
  out.push(
    wrap(
      'Accuracy: MAPE, median APE and bias (+ = over-prediction) over every point each model ran; ' +
        'common = MAPE on the fair-comparison set.',
      width,
      '',
    ),
  );
  out.push(accuracy(run, metrics), '');
  out.push(counts(run), '');
  out.push('By model: MAPE', byModel(run), '');
  const replay = replayLines(run, width, opts.verbose);
  if (replay.length > 0) out.push('Replay vs measurement (replay / measured):', ...replay, '');
  if (outliers(summaryPoints(run.points)).length > 0) {
    out.push(
      wrap(
        `Outliers among the whole-run points (failed, or a headline APE >= ${OUTLIER_APE}%) and their failure class:`,
        width,
        '',
      ),
    );
    out.push(outlierList(run), '');
  }
  if (opts.verbose) out.push('Points: APE per metric', pointsTables(run, metrics, width), '');
  if (run.gate) out.push(...gateLines(run.gate).map((l) => wrap(l, width)), '');
  out.push(wrap(scopeNote(run), width, ''));
  const derived = derivedKvExperiments(run);
  if (derived.length > 0) {
    const list = derived.map((e) => `${e.name} (${e.meta.kvBlocks})`).join(', ');
    out.push(wrap(`KV blocks derived from GPU memory (total_kv_blocks missing): ${list}`, width, ''));
  }
  return `${out.join('\n')}\n`;
}
