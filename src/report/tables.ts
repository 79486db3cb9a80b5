import { failureClass, outlierMetric, outliers } from '../eval/failure-class.ts';
import { BREAKDOWN_KEYS } from '../eval/stats.ts';
import { type BreakdownKey, type EvalRun, HEADLINE_METRICS, type PointResult } from '../eval/types.ts';
import type { Metric } from '../groundtruth/experiment.ts';
import {
  ci,
  DASH,
  groundTruthFlag,
  issuePoints,
  mapeBias,
  metricOf,
  modelLabel,
  ms,
  oneLine,
  pct,
  ratio,
  shortHash,
  signedPct,
  statusLabel,
} from './format.ts';

/**
 * The report's tables as plain cells, rendered by summary-md.ts and html.ts alike so that the
 * markdown and the HTML page always show the same figures.
 */
export interface Table {
  head: string[];
  /** 'r' for numeric columns. */
  align: ('l' | 'r')[];
  rows: string[][];
}

const cols = (n: number, a: 'l' | 'r'): ('l' | 'r')[] => Array.from({ length: n }, () => a);

export function inputsTable(run: EvalRun): Table {
  const names: [keyof EvalRun['inputs'], string][] = [
    ['groundTruth', 'ground truth'],
    ['hardwareConfig', 'hardware config'],
    ['benchData', 'bench data'],
    ['modelConfigs', 'model configs'],
    ['coefficients', 'coefficients'],
  ];
  return {
    head: ['input', 'path', 'sha256'],
    align: ['l', 'l', 'l'],
    rows: names.map(([k, label]) => [label, run.inputs[k].path, shortHash(run.inputs[k].sha256)]),
  };
}

/** Latency model × metric: n, MAPE with its CI, the APE distribution and the bias. */
export function accuracyTable(run: EvalRun, metrics: readonly Metric[] = HEADLINE_METRICS): Table {
  const rows: string[][] = [];
  for (const m of run.stats.models) {
    for (const metric of metrics) {
      const s = metricOf(m, metric);
      if (s === undefined) {
        rows.push([modelLabel(run.points, m.latencyModel), metric, '0', DASH, DASH, DASH, DASH, DASH, DASH]);
        continue;
      }
      rows.push([
        modelLabel(run.points, m.latencyModel),
        metric,
        String(s.n),
        pct(s.mape),
        ci(s.ci95),
        pct(s.medianApe),
        pct(s.p90Ape),
        pct(s.maxApe),
        signedPct(s.meanPe),
      ]);
    }
  }
  return {
    head: ['latency model', 'metric', 'n', 'MAPE', '95 % CI', 'median APE', 'p90 APE', 'max APE', 'bias'],
    align: ['l', 'l', ...cols(7, 'r')],
    rows,
  };
}

export function countsTable(run: EvalRun): Table {
  return {
    head: ['latency model', 'ok', 'n.a.', 'failed'],
    align: ['l', 'r', 'r', 'r'],
    rows: run.stats.models.map((m) => [
      modelLabel(run.points, m.latencyModel),
      String(m.counts.ok),
      String(m.counts.notApplicable),
      String(m.counts.failed),
    ]),
  };
}

/** One breakdown (by model, gpu, tp or family): group × latency model, MAPE (bias) per metric. */
export function breakdownTable(run: EvalRun, by: BreakdownKey, metrics: readonly Metric[]): Table {
  const groups = run.stats.breakdowns.filter((g) => g.by === by);
  return {
    head: [by, 'latency model', 'ok', 'n.a.', 'failed', ...metrics.map((m) => `${m} MAPE (bias)`)],
    align: ['l', 'l', ...cols(3 + metrics.length, 'r')],
    rows: groups.map((g) => [
      g.key,
      modelLabel(groupPoints(run, by, g.key), g.latencyModel),
      String(g.counts.ok),
      String(g.counts.notApplicable),
      String(g.counts.failed),
      ...metrics.map((m) => mapeBias(metricOf(g, m))),
    ]),
  };
}

/** The points of one breakdown group (its model, GPU, TP or workload family). */
export function groupPoints(run: EvalRun, by: BreakdownKey, key: string): PointResult[] {
  const of: Record<BreakdownKey, (p: PointResult) => string> = {
    model: (p) => p.meta.model,
    gpu: (p) => p.meta.gpu,
    tp: (p) => String(p.meta.tp),
    family: (p) => p.meta.family,
  };
  return run.points.filter((p) => of[by](p) === key);
}

export function breakdownTables(run: EvalRun, metrics: readonly Metric[]): [BreakdownKey, Table][] {
  return BREAKDOWN_KEYS.map((by) => [by, breakdownTable(run, by, metrics)]);
}

/** The experiments: what was replayed, with which workload form and KV-block count. */
export function experimentsTable(run: EvalRun): Table {
  return {
    head: [
      'experiment',
      'model',
      'gpu',
      'tp',
      'family',
      'workload form',
      'KV blocks',
      'points',
      'ground truth',
    ],
    align: ['l', 'l', 'l', 'r', 'l', 'l', 'r', 'l', 'l'],
    rows: run.experiments.map((e) => [
      e.name,
      e.meta.model,
      e.meta.gpu,
      String(e.meta.tp),
      e.meta.family,
      e.meta.workloadForm,
      `${e.meta.kvBlocks}${e.meta.derivedKVBlocks ? ' (derived)' : ''}`,
      e.points.join(', '),
      groundTruthFlag(e.meta),
    ]),
  };
}

/**
 * Not-applicable and failed points grouped by status, latency model and reason: one row per
 * reason with how many points it stopped and on which experiments.
 */
export function issuesTable(run: EvalRun): Table {
  const groups = new Map<
    string,
    { status: string; model: string; reason: string; n: number; exps: Set<string> }
  >();
  for (const p of issuePoints(run)) {
    const reason = oneLine(p.reason);
    const key = `${p.status}\u0000${p.latencyModel}\u0000${reason}`;
    const g = groups.get(key) ?? { status: p.status, model: p.latencyModel, reason, n: 0, exps: new Set() };
    g.n++;
    g.exps.add(p.experiment);
    groups.set(key, g);
  }
  return {
    head: ['status', 'latency model', 'reason', 'points', 'experiments'],
    align: ['l', 'l', 'l', 'r', 'l'],
    rows: [...groups.values()].map((g) => [
      statusLabel(g.status),
      g.model,
      g.reason,
      String(g.n),
      [...g.exps].join(', '),
    ]),
  };
}

/** The fair comparison: latency model × metric over the common set, with median APE and CI. */
export function commonTable(run: EvalRun, metrics: readonly Metric[] = HEADLINE_METRICS): Table {
  const rows: string[][] = [];
  for (const metric of metrics) {
    for (const m of run.stats.common.stats) {
      const s = metricOf(m, metric);
      if (s === undefined) continue;
      rows.push([
        metric,
        m.latencyModel,
        String(s.n),
        pct(s.mape),
        ci(s.ci95),
        pct(s.medianApe),
        signedPct(s.meanPe),
      ]);
    }
  }
  return {
    head: ['metric', 'latency model', 'n', 'MAPE', '95 % CI', 'median APE', 'bias'],
    align: ['l', 'l', ...cols(5, 'r')],
    rows,
  };
}

/**
 * Outlier points (failed, or a headline predicted / measured outside [1/2, 2]): the ground
 * truth's own flag, the worst metric's measured and predicted values, their ratio and APE, and
 * the failure class.
 */
export function outliersTable(run: EvalRun): Table {
  return {
    head: [
      'experiment',
      'point',
      'latency model',
      'seed',
      'ground truth',
      'metric',
      'measured (ms)',
      'predicted (ms)',
      'predicted / measured',
      'APE',
      'class',
    ],
    align: ['l', 'l', 'l', 'r', 'l', 'l', 'r', 'r', 'r', 'r', 'l'],
    rows: outliers(run.points).map((p) => {
      const cls = failureClass(p);
      const w = outlierMetric(p, cls);
      return [
        p.experiment,
        p.point,
        modelLabel([p], p.latencyModel),
        String(p.seed),
        groundTruthFlag(p.meta),
        w?.metric ?? DASH,
        ms(w?.measured),
        ms(w?.predicted),
        ratio(w?.ratio),
        pct(w?.ape),
        cls ?? 'unexplained',
      ];
    }),
  };
}
