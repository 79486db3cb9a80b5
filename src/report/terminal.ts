import Table from 'cli-table3';
import { type EvalRun, HEADLINE_METRICS, type Metric } from '../eval/types.ts';
import {
  derivedKvExperiments,
  mapeBias,
  metricOf,
  oneLine,
  optionsLine,
  pointCell,
  SCOPE_NOTE,
  statusLabel,
} from './format.ts';

export interface TerminalOptions {
  verbose: boolean;
  /** Metric columns of the summary and verbose tables (default: the headline metrics). */
  metrics?: readonly Metric[];
}

/** The breakdown-by-model table's metrics: the three a reader asks about first. */
const BY_MODEL_METRICS: readonly Metric[] = ['e2e_mean', 'ttft_mean', 'itl_mean'];
/** Longest reason shown in a verbose row; summary.md and results.json have the whole text. */
const REASON_LIMIT = 100;

// Empty style arrays: cli-table3 would otherwise colour heads and borders with ANSI codes.
const newTable = (head: string[], colAligns: ('left' | 'right')[]) =>
  new Table({ head, colAligns, style: { head: [], border: [] } });

function summaryTable(run: EvalRun, metrics: readonly Metric[]): string {
  const t = newTable(
    ['latency model', ...metrics, 'ok', 'n.a.', 'failed'],
    ['left', ...metrics.map(() => 'right' as const), 'right', 'right', 'right'],
  );
  for (const m of run.stats.models) {
    t.push([
      m.latencyModel,
      ...metrics.map((metric) => mapeBias(metricOf(m, metric))),
      m.counts.ok,
      m.counts.notApplicable,
      m.counts.failed,
    ]);
  }
  return t.toString();
}

function byModelTable(run: EvalRun): string {
  const t = newTable(
    ['model', 'latency model', ...BY_MODEL_METRICS.map((m) => `${m} MAPE`)],
    ['left', 'left', ...BY_MODEL_METRICS.map(() => 'right' as const)],
  );
  for (const g of run.stats.breakdowns) {
    if (g.by !== 'model') continue;
    t.push([g.key, g.latencyModel, ...BY_MODEL_METRICS.map((m) => mapeBias(metricOf(g, m)))]);
  }
  return t.toString();
}

/** Every point × latency model (× seed): measured / predicted (APE), or why there is none. */
function pointsTable(run: EvalRun, metrics: readonly Metric[]): string {
  const seeds = run.options.seeds > 1;
  const head = ['experiment', 'point', 'latency model', ...(seeds ? ['seed'] : []), ...metrics];
  const t = newTable(head, [
    'left',
    'left',
    'left',
    ...(seeds ? ['right' as const] : []),
    ...metrics.map(() => 'right' as const),
  ]);
  for (const p of run.points) {
    const key = [p.experiment, p.point, p.latencyModel, ...(seeds ? [String(p.seed)] : [])];
    if (p.status === 'ok') {
      t.push([...key, ...metrics.map((m) => pointCell(p.measured[m], p.predicted[m]))]);
    } else {
      const why = `${statusLabel(p.status)}: ${oneLine(p.reason, REASON_LIMIT)}`;
      t.push([...key, { content: why, colSpan: metrics.length, hAlign: 'left' }]);
    }
  }
  return t.toString();
}

/** The evaluator's terminal report: summary table, breakdown by model and, verbose, every point. */
export function renderTerminal(run: EvalRun, opts: TerminalOptions): string {
  const metrics = opts.metrics ?? HEADLINE_METRICS;
  const out: string[] = [];
  if (!run.complete) out.push(`INCOMPLETE (interrupted): ${run.points.length} points finished`, '');
  out.push(`blis-eval ${run.tool.version}  run ${run.runId}`, optionsLine(run), '');
  out.push('MAPE (bias) per latency model; bias = mean signed error, + = over-prediction', '');
  out.push(summaryTable(run, metrics), '');
  out.push('By model', byModelTable(run), '');
  if (opts.verbose) out.push('Points: measured / predicted ms (APE)', pointsTable(run, metrics), '');
  out.push(SCOPE_NOTE);
  const derived = derivedKvExperiments(run);
  if (derived.length > 0) {
    const list = derived.map((e) => `${e.name} (${e.meta.kvBlocks})`).join(', ');
    out.push(`KV blocks derived from GPU memory (total_kv_blocks missing): ${list}`);
  }
  return `${out.join('\n')}\n`;
}
