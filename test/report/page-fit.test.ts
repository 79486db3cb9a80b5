import type { TopLevelSpec } from 'vega-lite';
import { describe, expect, it } from 'vitest';
import { buildRecord } from '../../src/nightly/record.ts';
import { bandLabels, facetColumns, PAGE_WIDTH, textWidth, wrapLabel } from '../../src/report/chart-layout.ts';
import { charts } from '../../src/report/charts.ts';
import { htmlPage, htmlTable } from '../../src/report/html-page.ts';
import { trendSpec } from '../../src/report/nightly-html.ts';
import { renderSvg } from '../../src/report/svg.ts';
import { convergenceSpec } from '../../src/report/tune-html.ts';
import type { TuneResult } from '../../src/tune/outcome.ts';
import { okPoint, sampleRun } from '../support/eval-run.ts';

/**
 * Every chart of every HTML report is laid out from the page width: its SVG declares a width
 * no wider than the page's content, whatever the run's names and counts. What the SVG declares
 * is what the browser draws, so these are the properties that keep a 1 400 px window from
 * cutting a chart.
 */

const MODELS = ['blackbox', 'roofline-v1', 'roofline-v2', 'trained-physics'] as const;
const STAGES = 7;

/** 16 experiments with 60-character names, each with a summary and 7 stages, under 4 models. */
function wideRun() {
  const points = Array.from({ length: 16 }, (_, i) =>
    `20260217-170634-meta-llama-llama-3-1-70b-instruct-tp4-general-${String(i).padStart(2, '0')}`.slice(
      0,
      60,
    ),
  ).flatMap((name, i) =>
    ['summary', ...Array.from({ length: STAGES }, (_, s) => `stage-${s}`)].flatMap((point, s) =>
      MODELS.map((m, k) => {
        const measured = {
          ttft_mean: 30 + 400 * s,
          ttft_p90: 40 + 500 * s,
          itl_mean: 7,
          e2e_mean: 900,
          e2e_p90: 1100,
        };
        // Errors from 100x under to 3000x over, so the labels are as wide as they get.
        const f = [0.01, 0.9, 1.2, 3000][(i + k + s) % 4]!;
        const predicted = Object.fromEntries(Object.entries(measured).map(([key, v]) => [key, v * f]));
        return okPoint(name, point, m, measured, predicted);
      }),
    ),
  );
  return sampleRun(points);
}

const svgWidth = (svg: string) => Number(/<svg[^>]* width="(\d+)"/.exec(svg)![1]);

async function widthOf(spec: TopLevelSpec): Promise<{ width: number; svg: string }> {
  const svg = await renderSvg(spec, 'fit');
  return { width: svgWidth(svg), svg };
}

describe('the evaluator page at 1 400 px', () => {
  it('draws every chart within the page width and cuts no name, the heat table and load panels included', async () => {
    const run = wideRun();
    const all = charts(run);
    expect(all.map((c) => c.title)).toEqual([
      'MAPE by metric',
      'Error per experiment',
      'Error against load',
      'Predicted vs measured',
    ]);
    for (const c of all) {
      const { width, svg } = await widthOf(c.spec);
      expect(width, c.title).toBeLessThanOrEqual(PAGE_WIDTH);
      // 4 models × 5 metrics columns, each as wide as the page leaves them.
      if (c.title === 'Error per experiment') expect(svg.match(/ · trained-physics</g)).toHaveLength(5);
      // No name is cut: heat-table rows and load-panel headers wrap onto lines instead.
      expect(svg, c.title).not.toContain('…');
    }
  });

  it('slants or turns the labels of a crowded load axis and lets Vega thin what still collides', () => {
    const stages = Array.from({ length: STAGES }, (_, s) => `stage-${s}`);
    expect(bandLabels(stages.slice(0, 2), 220)).toEqual({ labelAngle: 0, labelOverlap: 'greedy' });
    const seven = bandLabels(stages, 220);
    expect(seven.labelAngle).not.toBe(0);
    expect(seven.labelOverlap).toBe('greedy');
    expect(bandLabels(stages, 1000).labelAngle).toBe(0);
    const many = Array.from({ length: 60 }, (_, s) => `qps-${s}.5`);
    expect(bandLabels(many, 220)).toMatchObject({ labelAngle: -90, labelOverlap: 'greedy' });
  });

  it('wraps a header onto lines no wider than its panel, keeping every character', () => {
    const name = '48-llama-4-scout-17b-16e-tp2-reasoning-lite-2-1_with_a_longer_tail';
    for (const width of [80, 150, 220]) {
      const lines = wrapLabel(name, width).split('\n');
      for (const l of lines) expect(textWidth(l)).toBeLessThanOrEqual(width);
      expect(lines.join('')).toBe(name);
    }
    expect(wrapLabel('short', 220)).toBe('short');
  });

  it('puts as many panels in a row as the page holds', () => {
    expect(facetColumns(220, 12, 16, 1110)).toBe(4);
    expect(facetColumns(220, 2, 16, 1110)).toBe(2);
    expect(facetColumns(2000, 3, 16)).toBe(1);
  });

  it('wraps every table in a scroll box and gives long words break opportunities, in a page of PAGE_WIDTH', () => {
    const long = 'Llama-3.1-8B-Instruct inference-perf rate=1,31.4,61.79,92.19,122.59';
    const table = htmlTable({ head: ['a', 'b'], align: ['l', 'r'], rows: [[long, '0.0065x']] }, 'none');
    expect(table.startsWith('<div class="table"><table>')).toBe(true);
    expect(table.endsWith('</table></div>')).toBe(true);
    // The long word wraps after its punctuation; short words and numbers are left whole.
    expect(table).toContain(
      '<td>Llama-3.1-8B-Instruct inference-perf rate=<wbr>1,<wbr>31.4,<wbr>61.79,<wbr>92.19,<wbr>122.59</td>',
    );
    expect(table).toContain('<td class="r">0.0065x</td>');
    const page = htmlPage('t', '', [table]);
    expect(page).toContain(`max-width: ${PAGE_WIDTH}px`);
    expect(page).toMatch(/\.table \{[^}]*overflow-x: auto/);
    expect(page).toMatch(/th, td \{[^}]*overflow-wrap: break-word/);
  });
});

describe('the tune and nightly pages at 1 400 px', () => {
  it('keeps the convergence chart and its legend of long fold names within the page, uncut', async () => {
    const search = {
      trace: [
        { evaluations: 1, best: 9 },
        { evaluations: 40, best: 7 },
      ],
    };
    const folds = MODELS.map((m) => ({
      name: `RedHatAI/Llama-4-Scout-17B-16E-Instruct-FP8-dynamic-${m}`,
      search,
      currentTrain: { objective: 10 },
    }));
    const r = { final: { search, current: { objective: 10 } }, folds } as unknown as TuneResult;
    const { width, svg } = await widthOf(convergenceSpec(r)!);
    expect(width).toBeLessThanOrEqual(PAGE_WIDTH);
    expect(svg).not.toContain('…');
    expect(svg).toContain('fold RedHatAI/Llama-4-Scout-17B-16E-Instruct-FP8-dynamic-trained-physics');
  });

  it('keeps the trend panels and their legend within the page, for every metric', async () => {
    const run = wideRun();
    const history = ['2025-01-01', '2025-01-02', '2025-01-03'].map((d) =>
      buildRecord({ ...run, createdAt: `${d}T02:00:00.000Z` }, { commit: 'a'.repeat(40) }),
    );
    const metrics = ['ttft_mean', 'ttft_p90', 'itl_mean', 'e2e_mean', 'e2e_p90'] as const;
    const { width, svg } = await widthOf(trendSpec(history, metrics)!);
    expect(width).toBeLessThanOrEqual(PAGE_WIDTH);
    expect(svg).toContain('trained-physics');
  });
});
