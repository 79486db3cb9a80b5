import type { TopLevelSpec } from 'vega-lite';
import { absPercentError, isHeadlinePoint } from '../eval/stats.ts';
import { type EvalRun, HEADLINE_METRICS } from '../eval/types.ts';
import { LATENCY_MODELS } from '../latency/types.ts';
import { ms, pct } from './format.ts';

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
      const ape = absPercentError(v, m);
      const tip =
        `${p.experiment} ${p.point}, ${p.latencyModel}${p.seed === run.points[0]?.seed ? '' : ` seed ${p.seed}`}: ` +
        `${metric} measured ${ms(m)} ms, predicted ${ms(v)} ms (APE ${pct(ape)})`;
      rows.push({ kind: 'point', metric, latencyModel: p.latencyModel, measured: m, predicted: v, tip });
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
    caption:
      'Each dot is a point (summary or qps run) under one latency model; the grey line is y = x. ' +
      'Hover a dot for its experiment, point and values.',
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
              description: { field: 'tip', type: 'nominal' },
            },
          },
        ],
      },
    },
  };
}

/** (b) MAPE per headline metric, bars grouped by latency model, with the bootstrap 95 % CI. */
const MAPE_FLOOR = 0.1;
const logScale = { type: 'log' as const, domainMin: MAPE_FLOOR };

export function mapeChart(run: EvalRun): Chart | null {
  const rows: Record<string, string | number>[] = [];
  for (const m of run.stats.models) {
    for (const s of m.metrics) {
      if (!HEADLINE_METRICS.includes(s.metric)) continue;
      const [lo, hi] = s.ci95 ?? [s.mape, s.mape];
      // Log axis: a perfect 0 % sits at its floor.
      const floor = (v: number) => Math.max(v, MAPE_FLOOR);
      rows.push({
        metric: s.metric,
        latencyModel: m.latencyModel,
        mape: floor(s.mape),
        lo: floor(lo),
        hi: floor(hi),
        label: s.mape >= 100 ? s.mape.toFixed(0) : s.mape.toFixed(1),
      });
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
    caption:
      'Mean absolute percentage error per headline metric, on a log axis so a 16 000 % outlier does not ' +
      'flatten the 10 % bars; each bar is labelled with its value; whiskers are the bootstrap 95 % CI.',
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
            y: { field: 'mape', type: 'quantitative', title: 'MAPE (%, log)', scale: logScale },
            // A log axis has no 0: bars rise from the axis floor.
            y2: { datum: MAPE_FLOOR },
            color: colour(run),
          },
        },
        {
          mark: { type: 'text', dy: -6, fontSize: 9, angle: 0 },
          encoding: {
            x,
            xOffset,
            y: { field: 'hi', type: 'quantitative', scale: logScale },
            text: { field: 'label', type: 'nominal' },
          },
        },
        {
          mark: { type: 'rule', color: '#333333' },
          encoding: {
            x,
            xOffset,
            y: { field: 'lo', type: 'quantitative', scale: logScale },
            y2: { field: 'hi' },
          },
        },
      ],
    },
  };
}

/** Colour scale of the heat table: signed PE clipped to ±HEAT_CLIP %. */
const HEAT_CLIP = 100;

/**
 * (c) Experiment × (headline metric, latency model): the signed error, mean over the
 * experiment's whole-run points and seeds. A diverging scale (blue under-, red over-prediction)
 * clipped at ±100 % so one 500 % cell does not wash out the rest; the label has the value.
 */
export function heatChart(run: EvalRun): Chart | null {
  const rows: Record<string, string | number | null>[] = [];
  const models = colourDomain(run);
  for (const e of run.experiments) {
    for (const metric of HEADLINE_METRICS) {
      for (const lm of models) {
        const mine = run.points.filter(
          (p) => p.experiment === e.name && p.latencyModel === lm && isHeadlinePoint(p.point),
        );
        if (mine.length === 0 || mine.every((p) => p.measured[metric] === undefined)) continue;
        const pes = mine.flatMap((p) => {
          const m = p.measured[metric];
          const v = p.predicted[metric];
          return p.status === 'ok' && m !== undefined && v !== undefined && m > 0
            ? [((v - m) / m) * 100]
            : [];
        });
        const pe = pes.length > 0 ? pes.reduce((x, y) => x + y, 0) / pes.length : null;
        const label =
          pe !== null
            ? `${pe >= 0 ? '+' : ''}${pe.toFixed(0)}`
            : mine.some((p) => p.status === 'failed')
              ? 'failed'
              : 'n.a.';
        rows.push({ experiment: e.name, column: `${metric} · ${lm}`, pe, label });
      }
    }
  }
  if (rows.length === 0) return null;
  const x = {
    field: 'column',
    type: 'nominal' as const,
    title: null,
    sort: HEADLINE_METRICS.flatMap((m) => models.map((lm) => `${m} · ${lm}`)),
    axis: { orient: 'top' as const, labelAngle: -40, labelLimit: 0 },
  };
  const y = {
    field: 'experiment',
    type: 'nominal' as const,
    title: null,
    sort: run.experiments.map((e) => e.name),
    axis: { labelLimit: 0 },
  };
  return {
    title: 'Error per experiment',
    caption:
      `Signed error (%) of every headline metric per experiment and latency model, mean over its whole-run ` +
      `points and seeds: red over-predicts, blue under-predicts; colours clip at ±${HEAT_CLIP} %, the label ` +
      'gives the value.',
    spec: {
      data: { values: rows },
      width: { step: 44 },
      height: { step: 20 },
      layer: [
        {
          transform: [{ filter: 'isValid(datum.pe)' }],
          mark: 'rect',
          encoding: {
            x,
            y,
            color: {
              field: 'pe',
              type: 'quantitative',
              title: 'signed error (%)',
              scale: { scheme: 'redblue', reverse: true, domain: [-HEAT_CLIP, HEAT_CLIP], clamp: true },
            },
          },
        },
        {
          mark: { type: 'text', fontSize: 9 },
          encoding: {
            x,
            y,
            text: { field: 'label', type: 'nominal' },
            color: {
              condition: { test: `abs(datum.pe) > ${HEAT_CLIP * 0.6}`, value: 'white' },
              value: 'black',
            },
          },
        },
      ],
    },
  };
}

/**
 * (d) Error against load: ttft_mean APE of each stage or QPS point in load order, per latency
 * model, one panel per experiment with two or more load points. Saturation shows as a climb.
 */
export function loadChart(run: EvalRun): Chart | null {
  const rows: Record<string, string | number>[] = [];
  for (const e of run.experiments) {
    const load = e.points.filter((id) => id !== 'summary');
    if (load.length < 2) continue;
    for (const p of run.points) {
      if (p.experiment !== e.name || p.status !== 'ok' || !load.includes(p.point)) continue;
      const m = p.measured.ttft_mean;
      const v = p.predicted.ttft_mean;
      const ape = m !== undefined && v !== undefined ? absPercentError(v, m) : null;
      if (ape === null) continue;
      rows.push({
        experiment: e.name,
        point: p.point,
        order: load.indexOf(p.point),
        latencyModel: p.latencyModel,
        ape: Math.max(ape, MAPE_FLOOR),
        tip: `${e.name} ${p.point}, ${p.latencyModel}: ttft_mean measured ${ms(m!)} ms, predicted ${ms(v!)} ms (APE ${pct(ape)})`,
      });
    }
  }
  if (rows.length === 0) return null;
  return {
    title: 'Error against load',
    caption:
      'ttft_mean APE (%, log) of each stage or QPS point, in load order, per latency model: ' +
      'an error that climbs with the load is a saturation the simulation gets wrong.',
    spec: {
      data: { values: rows },
      facet: {
        field: 'experiment',
        type: 'nominal',
        title: null,
        sort: run.experiments.map((e) => e.name),
        header: { labelLimit: 0, labelFontSize: 10 },
      },
      columns: 3,
      resolve: { scale: { x: 'independent' } },
      spec: {
        width: 200,
        height: 120,
        mark: { type: 'line', point: true },
        encoding: {
          x: {
            field: 'point',
            type: 'ordinal',
            title: null,
            sort: { field: 'order' },
            axis: { labelAngle: 0 },
          },
          y: { field: 'ape', type: 'quantitative', title: 'ttft_mean APE (%)', scale: logScale },
          color: colour(run),
          description: { field: 'tip', type: 'nominal' },
        },
      },
    },
  };
}

export function charts(run: EvalRun): Chart[] {
  return [mapeChart(run), heatChart(run), loadChart(run), scatterChart(run)].filter((c) => c !== null);
}
