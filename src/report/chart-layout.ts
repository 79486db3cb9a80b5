/**
 * Sizes of the HTML reports' charts, computed from the page width so that every chart fits the
 * page (1 200 px of content in a 1 400 px window) whatever the names and counts in the run.
 *
 * Vega lays out an SVG rendered in Node (no canvas) with an estimated text width of 0.8 × the
 * font size per character, and truncates labels by that estimate too; the layout here uses the
 * same estimate, so what it computes is what the SVG declares.
 */

/** Content width of the report pages, px: the CSS max-width and every chart's budget. */
export const PAGE_WIDTH = 1200;

/** Axis, legend and header labels' font size (Vega's default). */
export const LABEL_FONT = 10;

/** The width Vega gives `text` at `fontSize` px when it renders without a canvas. */
export function textWidth(text: string, fontSize = LABEL_FONT): number {
  return Math.floor(0.8 * text.length * fontSize);
}

/**
 * `text` in lines no wider than `width` px, broken after ' ', '-', '_', '/' or ',' where a line
 * allows (not at '.': it would split a number), else mid-word; joined with '\n' (a label's
 * `labelExpr` splits them back into lines).
 */
export function wrapLabel(text: string, width: number, fontSize = LABEL_FONT): string {
  const max = Math.max(4, Math.floor(width / (0.8 * fontSize)));
  const lines: string[] = [];
  let rest = text;
  while (rest.length > max) {
    const head = rest.slice(0, max);
    const at = Math.max(...[' ', '-', '_', '/', ','].map((c) => head.lastIndexOf(c)));
    const cut = at >= max / 2 ? at + 1 : max;
    lines.push(rest.slice(0, cut).trimEnd());
    rest = rest.slice(cut).trimStart();
  }
  lines.push(rest);
  return lines.join('\n');
}

/** A header's or axis's `labelExpr` that prints a wrapLabel'ed value on its lines. */
export const LINES_EXPR = "split(datum.value, '\\n')";

/** The width `labels` take side by side, level, px. */
export const levelWidth = (labels: readonly string[]): number =>
  labels.reduce((sum, l) => sum + textWidth(l) + LABEL_GAP, 0);
const LABEL_GAP = 6;

/**
 * Axis label settings for `labels` sharing `width` px: level when they fit side by side, else
 * slanted (-45°) when each slanted label fits its share, else upright (-90°). Vega drops labels
 * that still collide (greedy), so a long axis thins instead of running its labels together.
 */
export function bandLabels(labels: readonly string[], width: number) {
  const overlap = 'greedy' as const;
  if (levelWidth(labels) <= width) return { labelAngle: 0, labelOverlap: overlap };
  const step = width / Math.max(1, labels.length);
  const widest = Math.max(...labels.map((l) => textWidth(l)));
  const angle = widest * Math.SQRT1_2 + LABEL_GAP <= step ? -45 : -90;
  return {
    labelAngle: angle,
    labelAlign: 'right' as const,
    labelBaseline: 'middle' as const,
    labelOverlap: overlap,
  };
}

/** Facet panels of `panel` px (axes included) a row of `width` px holds, at most `count`, at least 1. */
export function facetColumns(panel: number, count: number, spacing: number, width = PAGE_WIDTH): number {
  return Math.max(1, Math.min(count, Math.floor((width + spacing) / (panel + spacing))));
}

/** A legend under the chart, its entries in as many columns as the page width takes. */
export function bottomLegend(labels: readonly string[], width = PAGE_WIDTH) {
  const entry = Math.max(...labels.map((l) => textWidth(l)), 0) + 30;
  return {
    orient: 'bottom' as const,
    direction: 'horizontal' as const,
    columns: Math.max(1, Math.min(labels.length, Math.floor(width / entry))),
    labelLimit: width - 40,
  };
}
