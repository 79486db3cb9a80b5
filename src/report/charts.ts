import type { TopLevelSpec } from 'vega-lite';
import { absPercentError, isHeadlinePoint } from '../eval/stats.ts';
import { type EvalRun, HEADLINE_METRICS } from '../eval/types.ts';
import { LATENCY_MODELS } from '../latency/types.ts';

/**
 * Vega-Lite specs of the HTML report's charts, built from the run alone (inline data, no
 * loader, no randomness) so that rendering them is a pure function of the run. Every chart
 * uses the whole-run points (summary, qps-<rate>), the same scope as the statistics.
 */
export interface Chart {
  title: string;
  /** What the chart shows, for the paragraph under its title. */
  caption: string;
  spec: TopLevelSpec;
}

/** Latency models of this run in the canonical order, so each keeps its colour across charts. */
function colourDomain(run: EvalRun): string[] {
  return LATENCY_MODELS.filter((m) => run.points.some((p) => p.latencyModel === m));
}

const colour = (run: EvalRun) => ({
  field: 'latencyModel',
  type: 'nominal' as const,
  title: 'latency model',
  scale: { domain: colourDomain(run), scheme: 'category10' },
});

/** (a) Predicted against measured, log-log, one panel per headline metric, with y = x. */
export function scatterChart(run: EvalRun): Chart | null {
  const rows: Record<string, string | number>[] = [];
  const ranges = new Map<string, [number, number]>();
  for (const p of run.points) {
    if (p.status !== 'ok' || !isHeadlinePoint(p.point)) continue;
    for (const metric of HEADLINE_METRICS) {
      const m = p.measured[metric];
      const v = p.predicted[metric];
      // Log axes: a zero or negative value has no place on them.
      if (m === undefined || v === undefined || !(m > 0) || !(v > 0)) continue;
      rows.push({ kind: 'point', metric, latencyModel: p.latencyModel, measured: m, predicted: v });
      const r = ranges.get(metric) ?? [Math.min(m, v), Math.max(m, v)];
      ranges.set(metric, [Math.min(r[0], m, v), Math.max(r[1], m, v)]);
    }
  }
  if (rows.length === 0) return null;
  for (const [metric, [lo, hi]] of ranges) {
    rows.push({ kind: 'ref', metric, measured: lo, predicted: lo });
    rows.push({ kind: 'ref', metric, measured: hi, predicted: hi });
  }
  const axis = (field: string, title: string) => ({
    field,
    type: 'quantitative' as const,
    title,
    // Not niced: both axes then span exactly the y = x line's [min, max], so it is the diagonal.
    scale: { type: 'log' as const, nice: false, padding: 10 },
  });
  return {
    title: 'Predicted vs measured',
    caption: 'Each dot is a point (summary or qps run) under one latency model; the grey line is y = x.',
    spec: {
      data: { values: rows },
      facet: { field: 'metric', type: 'nominal', title: null, sort: [...HEADLINE_METRICS] },
      columns: 3,
      resolve: { scale: { x: 'independent', y: 'independent' } },
      spec: {
        width: 220,
        height: 220,
        layer: [
          {
            transform: [{ filter: "datum.kind === 'ref'" }],
            mark: { type: 'line', color: '#999999', strokeDash: [4, 4] },
            encoding: { x: axis('measured', 'measured (ms)'), y: axis('predicted', 'predicted (ms)') },
          },
          {
            transform: [{ filter: "datum.kind === 'point'" }],
            mark: { type: 'point', filled: true, opacity: 0.7 },
            encoding: {
              x: axis('measured', 'measured (ms)'),
              y: axis('predicted', 'predicted (ms)'),
              color: colour(run),
            },
          },
        ],
      },
    },
  };
}

/** (b) MAPE per headline metric, bars grouped by latency model, with the bootstrap 95 % CI. */
export function mapeChart(run: EvalRun): Chart | null {
  const rows: Record<string, string | number>[] = [];
  for (const m of run.stats.models) {
    for (const s of m.metrics) {
      if (!HEADLINE_METRICS.includes(s.metric)) continue;
      const [lo, hi] = s.ci95 ?? [s.mape, s.mape];
      rows.push({ metric: s.metric, latencyModel: m.latencyModel, mape: s.mape, lo, hi });
    }
  }
  if (rows.length === 0) return null;
  const x = {
    field: 'metric',
    type: 'nominal' as const,
    title: null,
    sort: [...HEADLINE_METRICS],
    axis: { labelAngle: 0 },
  };
  const xOffset = { field: 'latencyModel', type: 'nominal' as const, scale: { domain: colourDomain(run) } };
  return {
    title: 'MAPE by metric',
    caption: 'Mean absolute percentage error per headline metric; whiskers are the bootstrap 95 % CI.',
    spec: {
      data: { values: rows },
      width: 560,
      height: 260,
      layer: [
        {
          mark: 'bar',
          encoding: {
            x,
            xOffset,
            y: { field: 'mape', type: 'quantitative', title: 'MAPE (%)' },
            color: colour(run),
          },
        },
        {
          mark: { type: 'rule', color: '#333333' },
          encoding: { x, xOffset, y: { field: 'lo', type: 'quantitative' }, y2: { field: 'hi' } },
        },
      ],
    },
  };
}

/** (c) Experiment × latency model, coloured and labelled by the mean e2e_mean APE. */
export function heatChart(run: EvalRun): Chart | null {
  const rows: Record<string, string | number | null>[] = [];
  for (const e of run.experiments) {
    for (const lm of colourDomain(run)) {
      const mine = run.points.filter(
        (p) => p.experiment === e.name && p.latencyModel === lm && isHeadlinePoint(p.point),
      );
      if (mine.length === 0) continue;
      const apes = mine.flatMap((p) => {
        const m = p.measured.e2e_mean;
        const v = p.predicted.e2e_mean;
        return p.status === 'ok' && m !== undefined && v !== undefined && m > 0
          ? [absPercentError(v, m)!]
          : [];
      });
      const ape = apes.length > 0 ? apes.reduce((a, b) => a + b, 0) / apes.length : null;
      const label =
        ape !== null ? ape.toFixed(1) : mine.some((p) => p.status === 'failed') ? 'failed' : 'n.a.';
      rows.push({ experiment: e.name, latencyModel: lm, ape, label });
    }
  }
  if (rows.length === 0) return null;
  const top = Math.max(0, ...rows.map((r) => (typeof r.ape === 'number' ? r.ape : 0)));
  const x = {
    field: 'latencyModel',
    type: 'nominal' as const,
    title: null,
    axis: { orient: 'top' as const, labelAngle: 0 },
  };
  const y = {
    field: 'experiment',
    type: 'nominal' as const,
    title: null,
    sort: run.experiments.map((e) => e.name),
  };
  return {
    title: 'Error per experiment',
    caption: 'e2e_mean APE (%) of each experiment, mean over its whole-run points and seeds.',
    spec: {
      data: { values: rows },
      width: { step: 110 },
      height: { step: 20 },
      layer: [
        {
          transform: [{ filter: 'isValid(datum.ape)' }],
          mark: 'rect',
          encoding: {
            x,
            y,
            color: {
              field: 'ape',
              type: 'quantitative',
              title: 'APE (%)',
              scale: { scheme: 'orangered', zero: true },
            },
          },
        },
        {
          mark: { type: 'text', fontSize: 11 },
          encoding: {
            x,
            y,
            text: { field: 'label', type: 'nominal' },
            // White on the dark half of the scale, black elsewhere.
            color: { condition: { test: `datum.ape > ${top / 2}`, value: 'white' }, value: 'black' },
          },
        },
      ],
    },
  };
}

export function charts(run: EvalRun): Chart[] {
  return [scatterChart(run), mapeChart(run), heatChart(run)].filter((c) => c !== null);
}
