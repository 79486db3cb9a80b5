import type { TopLevelSpec } from 'vega-lite';
import { absPercentError, isHeadlinePoint } from '../eval/stats.ts';
import { type EvalRun, HEADLINE_METRICS } from '../eval/types.ts';
import { LATENCY_MODELS } from '../latency/types.ts';
import {
  bandLabels,
  bottomLegend,
  facetColumns,
  LABEL_FONT,
  LINES_EXPR,
  levelWidth,
  PAGE_WIDTH,
  textWidth,
  wrapLabel,
} from './chart-layout.ts';
import { ms, pct, ratio, signedPct } from './format.ts';

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

/** Scatter panels: plot size, its y axis's width and the gap between panels, px. */
const SCATTER_PANEL = 220;
const SCATTER_AXIS = 70;
const SCATTER_SPACING = 20;

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
      // Each panel carries its own y axis.
      columns: facetColumns(SCATTER_PANEL + SCATTER_AXIS, ranges.size, SCATTER_SPACING),
      spacing: SCATTER_SPACING,
      resolve: { scale: { x: 'independent', y: 'independent' } },
      spec: {
        width: SCATTER_PANEL,
        height: SCATTER_PANEL,
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
              color: { ...colour(run), legend: bottomLegend(colourDomain(run)) },
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
 * The heat table's cells: widest, narrowest (a "+278k" label still fits), their height, and the
 * height of one line of a wrapped experiment name.
 */
const HEAT_STEP = { max: 44, min: 30, height: 20, line: 12 };
/** Room for Vega's padding, ticks and label padding around a chart, px. */
const CHART_PAD = 30;

/** A signed error as a cell label: "+12", "-99", "+278k" (a six-digit error stays narrow). */
function heatLabel(pe: number): string {
  const sign = pe >= 0 ? '+' : '-';
  const a = Math.abs(pe);
  return a >= 10000 ? `${sign}${(a / 1000).toFixed(0)}k` : `${sign}${a.toFixed(0)}`;
}

/**
 * (c) Experiment × (headline metric, latency model): the signed error, mean over the
 * experiment's whole-run points and seeds. A diverging scale (blue under-, red over-prediction)
 * clipped at ±100 % so one 500 % cell does not wash out the rest; the label has the value.
 * Its cells are as wide as the page allows once the experiment names and the slanted column
 * labels have their room; a name longer than the narrowest cells leave wraps onto lines.
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
          pe !== null ? heatLabel(pe) : mine.some((p) => p.status === 'failed') ? 'failed' : 'n.a.';
        const column = `${metric} · ${lm}`;
        const tip = `${e.name}, ${column}: ${pe === null ? label : `signed error ${signedPct(pe)}`}`;
        rows.push({ experiment: e.name, column, pe, label, tip });
      }
    }
  }
  if (rows.length === 0) return null;
  const columns = HEADLINE_METRICS.flatMap((m) => models.map((lm) => `${m} · ${lm}`));
  // A label slanted at -45° reaches right of its column by its width × cos 45°; a name gets a
  // label font of slack (Vega cuts a label whose estimated width reaches its limit).
  const overhang = Math.ceil(Math.max(...columns.map((c) => textWidth(c))) * Math.SQRT1_2);
  const room = PAGE_WIDTH - overhang - CHART_PAD - LABEL_FONT;
  const names = Math.min(
    Math.max(...run.experiments.map((e) => textWidth(e.name))),
    room - HEAT_STEP.min * columns.length,
  );
  const step = Math.min(HEAT_STEP.max, Math.floor((room - names) / columns.length));
  // A name wider than its room wraps onto lines, and every row grows to hold the most lines.
  const row = new Map(run.experiments.map((e) => [e.name, wrapLabel(e.name, names)]));
  const lines = Math.max(...[...row.values()].map((r) => r.split('\n').length));
  for (const r of rows) r.row = row.get(r.experiment as string)!;
  const x = {
    field: 'column',
    type: 'nominal' as const,
    title: null,
    sort: columns,
    axis: { orient: 'top' as const, labelAngle: -45, labelAlign: 'left' as const, labelLimit: 0 },
  };
  const y = {
    field: 'row',
    type: 'nominal' as const,
    title: null,
    sort: [...row.values()],
    axis: { labelLimit: names + LABEL_FONT, labelExpr: LINES_EXPR },
  };
  return {
    title: 'Error per experiment',
    caption:
      `Signed error (%) of every headline metric per experiment and latency model, mean over its whole-run ` +
      `points and seeds: red over-predicts, blue under-predicts; colours clip at ±${HEAT_CLIP} %, the label ` +
      'gives the value (k = thousands). Hover a cell for its experiment and value.',
    spec: {
      data: { values: rows },
      width: { step },
      height: { step: Math.max(HEAT_STEP.height, lines * HEAT_STEP.line + 4) },
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
              legend: { orient: 'bottom', direction: 'horizontal', gradientLength: 200 },
            },
            description: { field: 'tip', type: 'nominal' },
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
 * Load charts' panels: plot width (at least `width`, up to `wide` when the load points' labels
 * need it), height, gaps, and the shared y axis's width, px.
 */
const LOAD_PANEL = { width: 220, wide: 480, height: 130, spacing: 16, axis: 90 };

/**
 * (d) Error against load: ttft_mean predicted / measured of each stage or QPS point in load
 * order, per latency model, on a log axis (an under-prediction falls as far as an
 * over-prediction rises; an APE would stop at 100 %), one panel per experiment with two or more
 * load points. Saturation the simulation misses shows as a fall below 1/2 as the load climbs.
 * Panel width, panels per row, header lines and label slant come from the page width.
 */
export function loadChart(run: EvalRun): Chart | null {
  const rows: Record<string, string | number>[] = [];
  const names: string[] = [];
  let widest: string[] = [];
  for (const e of run.experiments) {
    const load = e.points.filter((id) => id !== 'summary');
    if (load.length < 2) continue;
    const before = rows.length;
    for (const p of run.points) {
      if (p.experiment !== e.name || p.status !== 'ok' || !load.includes(p.point)) continue;
      const m = p.measured.ttft_mean;
      const v = p.predicted.ttft_mean;
      // Log axis: a ratio needs both values above 0.
      if (m === undefined || v === undefined || !(m > 0) || !(v > 0)) continue;
      rows.push({
        experiment: e.name,
        point: p.point,
        order: load.indexOf(p.point),
        latencyModel: p.latencyModel,
        ratio: v / m,
        tip: `${e.name} ${p.point}, ${p.latencyModel}: ttft_mean measured ${ms(m)} ms, predicted ${ms(v)} ms (${ratio(v / m)})`,
      });
    }
    if (rows.length === before) continue;
    names.push(e.name);
    if (levelWidth(load) > levelWidth(widest)) widest = load;
  }
  if (rows.length === 0) return null;
  const width = Math.max(LOAD_PANEL.width, Math.min(LOAD_PANEL.wide, levelWidth(widest)));
  // Headers wrap to their panel's width, so a long experiment name cannot widen its column.
  const header = new Map(names.map((n) => [n, wrapLabel(n, width)]));
  for (const r of rows) r.panel = header.get(r.experiment as string)!;
  for (const n of names) for (const r of [0.5, 1, 2]) rows.push({ panel: header.get(n)!, rule: r });
  const panels = [...header.values()];
  const columns = facetColumns(width, panels.length, LOAD_PANEL.spacing, PAGE_WIDTH - LOAD_PANEL.axis);
  const y = {
    field: 'ratio',
    type: 'quantitative' as const,
    title: 'ttft_mean predicted / measured',
    scale: { type: 'log' as const },
  };
  return {
    title: 'Error against load',
    caption:
      'ttft_mean predicted / measured (log) of each stage or QPS point, in load order, per latency model; ' +
      'the grey lines mark 1/2, 1 and 2. A fall as the load climbs is a queue the server built and the ' +
      'simulation did not (predicted underload); a rise, one the simulation built alone (predicted overload).',
    spec: {
      data: { values: rows },
      facet: {
        field: 'panel',
        type: 'nominal',
        title: null,
        sort: panels,
        header: { labelExpr: LINES_EXPR, labelLimit: 0, labelFontSize: LABEL_FONT },
      },
      columns,
      spacing: LOAD_PANEL.spacing,
      resolve: { scale: { x: 'independent' } },
      spec: {
        width,
        height: LOAD_PANEL.height,
        layer: [
          {
            transform: [{ filter: 'isValid(datum.rule)' }],
            mark: { type: 'rule', color: '#999999', strokeDash: [4, 4] },
            encoding: { y: { ...y, field: 'rule' } },
          },
          {
            transform: [{ filter: 'isValid(datum.ratio)' }],
            mark: { type: 'line', point: true },
            encoding: {
              x: {
                field: 'point',
                type: 'ordinal',
                title: null,
                sort: { field: 'order' },
                axis: bandLabels(widest, width),
              },
              y,
              color: { ...colour(run), legend: bottomLegend(colourDomain(run)) },
              description: { field: 'tip', type: 'nominal' },
            },
          },
        ],
      },
    },
  };
}

export function charts(run: EvalRun): Chart[] {
  return [mapeChart(run), heatChart(run), loadChart(run), scatterChart(run)].filter((c) => c !== null);
}
