import { describe, expect, it } from 'vitest';
import type { GpuSpec } from '../../src/config/hardware-config.ts';
import type { Experiment, Metric } from '../../src/groundtruth/experiment.ts';
import { convergenceSpec, FINAL_SEARCH, renderTuneHtml } from '../../src/report/tune-html.ts';
import { objectiveNote } from '../../src/report/tune-md.ts';
import { MEAN_OBJECTIVE } from '../../src/tune/objective.ts';
import type { ErrorSummary, SearchResult, TuneOutcome, TuneResult } from '../../src/tune/outcome.ts';

const METRICS: Metric[] = ['e2e_mean', 'ttft_mean', 'itl_mean'];
const EVIL = '<script>alert("x")</script>';

const err = (e2e: number, ttft: number, itl: number, ok = 1, failed = 0): ErrorSummary => ({
  objective: (e2e + ttft + itl) / 3,
  mape: { e2e_mean: e2e, ttft_mean: ttft, itl_mean: itl },
  ok,
  failed,
});

const searchOf = (method: string, trace: [number, number][]): SearchResult => ({
  method,
  best: { mfuDecode: 0.16, TOverheadMicros: 500 },
  bestScore: trace[trace.length - 1]![1],
  evaluations: trace[trace.length - 1]![0],
  trace: trace.map(([evaluations, best]) => ({ evaluations, best })),
});

const experiment = (name: string, model: string) =>
  ({ name, model, gpu: 'H100', tp: 1, family: 'general' }) as unknown as Experiment;

function outcome(
  trace: [number, number][] = [
    [4, 300],
    [6, 42.5],
    [8, 12.25],
  ],
): TuneOutcome {
  const result: TuneResult = {
    folds: [
      {
        name: `qwen${EVIL}`,
        train: ['llama-run'],
        test: [EVIL],
        search: searchOf('grid (8 points)', [[8, 14]]),
        fitted: err(8, 15, 6),
        leftOut: err(11, 22, 7),
        currentTrain: err(20, 40, 15),
        currentLeftOut: err(25, 45, 18),
      },
      {
        name: 'meta-llama/llama-3.1-8b-instruct',
        train: [EVIL],
        test: ['llama-run'],
        search: searchOf('grid (8 points)', [[8, 9.5]]),
        fitted: err(9, 18, 5),
        leftOut: err(10, 19, 9),
        currentTrain: err(25, 45, 18),
        currentLeftOut: err(20, 40, 15),
      },
    ],
    cv: { fitted: err(8.5, 16.5, 5.5, 2), leftOut: err(10.5, 20.5, 8, 2), current: err(22.5, 42.5, 16.5, 2) },
    final: {
      search: searchOf('grid (8 points)', trace),
      fitted: err(9, 17, 6, 2),
      current: err(22.5, 42.5, 16.5, 2),
    },
    write: true,
    why: 'cross-validated (left-out) objective 13.00 vs current 27.17: the fit generalises better',
  };
  return {
    gpu: { key: 'H100', aliases: [] } as unknown as GpuSpec,
    scope: 'H100',
    params: [],
    objective: MEAN_OBJECTIVE,
    leftOut: [{ name: `failing${EVIL}`, why: 'the server failed 84.8 % of its requests' }],
    experiments: [
      experiment(EVIL, `qwen${EVIL}`),
      experiment('llama-run', 'meta-llama/llama-3.1-8b-instruct'),
    ],
    start: { values: { mfuDecode: 0.12, TOverheadMicros: 0 }, from: 'hardware_config.json (H100)' },
    result,
    evaluated: 24,
  };
}

const opts = {
  latencyModel: 'roofline-v1',
  metrics: METRICS,
  written: 'hardware_config.json',
  values: { mfuDecode: 0.16, TOverheadMicros: 500 },
};

describe('tune index.html', () => {
  it('has the verdict, the before/after tables, the values and a convergence chart', async () => {
    const html = await renderTuneHtml(outcome(), opts);
    expect(html.startsWith('<!DOCTYPE html>')).toBe(true);
    expect(html).toContain('Verdict: written to hardware_config.json');
    for (const h of [
      'Cross-validated error',
      'Folds: left-out error before → after',
      'Fold qwen&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;',
      'Fold meta-llama/llama-3.1-8b-instruct',
      'Fit on all experiments',
      'Values',
      'Convergence',
    ]) {
      expect(html).toContain(`>${h}</h`);
    }
    expect(html).toContain('<th>e2e_mean MAPE</th><th>ttft_mean MAPE</th><th>itl_mean MAPE</th>');
    // The pooled cross-validated rows: current left-out, fitted train mean, fitted left-out.
    expect(html).toContain('<td>current values, left-out</td><td class="r">22.5%</td>');
    expect(html).toContain('<td>fitted, left-out</td><td class="r">10.5%</td>');
    // Per fold, per metric: left-out before → after.
    expect(html).toContain('<td class="r">25.0% → 11.0%</td>');
    expect(html).toContain(
      '<td>mfuDecode</td><td class="r">0.12</td><td class="r">0.16</td><td class="r">+0.04</td>',
    );
    expect(html.match(/<table>/g)!.length).toBe(8);
    // Per metric: the pooled left-out figures and in how many folds the fit won or lost.
    expect(html).toMatch(
      /<td>e2e_mean MAPE<\/td><td class="r">22\.5 ?%<\/td><td class="r">10\.5 ?%<\/td><td class="r">2<\/td><td class="r">0<\/td><td class="r">0<\/td>/,
    );
    // The cap is explained where the objective is shown; the chart starts at the current values.
    expect(html).toContain('capped at 1000 %');
    expect(html).toContain('Candidate 1 is the current values, exactly as they are');
    expect(html).toContain('<svg');
    expect(html).not.toContain('<script');
  });

  it('escapes names taken from the inputs, in the tables and in the chart', async () => {
    const html = await renderTuneHtml(outcome(), opts);
    expect(html).not.toContain(EVIL);
    expect(html).not.toMatch(/<script/i);
    const svg = html.slice(html.indexOf('<svg'), html.indexOf('</svg>'));
    expect(svg).toContain('fold qwen&lt;script&gt;');
    expect(html).toContain('&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;');
  });

  it('renders the same bytes twice', async () => {
    const a = await renderTuneHtml(outcome(), opts);
    const b = await renderTuneHtml(outcome(), opts);
    expect(a).toBe(b);
  });

  it('uses a log y scale only when the objective spans more than a factor of ten', () => {
    const wide = convergenceSpec(outcome().result!) as { encoding: { y: { scale: { type?: string } } } };
    expect(wide.encoding.y.scale.type).toBe('log');
    const narrow = convergenceSpec(
      outcome([
        [4, 14],
        [8, 9],
      ]).result!,
    ) as { encoding: { y: { scale: { type?: string } } } };
    expect(narrow.encoding.y.scale.type).toBeUndefined();
  });

  it("draws each search's best so far on its own objective: no line rises", () => {
    // The final search ran on partial replays: its trace starts far above the current values'
    // full-replay objective (27.2), which is not on the search's scale.
    const spec = convergenceSpec(outcome().result!) as {
      data: { values: { search: string; evaluations: number; best: number }[] };
    };
    const lines = new Map<string, typeof spec.data.values>();
    for (const v of spec.data.values) lines.set(v.search, [...(lines.get(v.search) ?? []), v]);
    expect(lines.size).toBe(3);
    for (const line of lines.values()) {
      expect(line[0]!.evaluations).toBeGreaterThanOrEqual(1);
      for (let i = 1; i < line.length; i++) {
        expect(line[i]!.evaluations).toBeGreaterThan(line[i - 1]!.evaluations);
        expect(line[i]!.best).toBeLessThanOrEqual(line[i - 1]!.best);
      }
    }
    expect(lines.get(FINAL_SEARCH)!.map((v) => v.best)).toEqual([300, 42.5, 12.25]);
  });

  it('plots a search only where its best value changes, and at its end', () => {
    const spec = convergenceSpec(
      outcome([
        [1, 30],
        [2, 30],
        [3, 20],
        [4, 20],
        [5, 20],
      ]).result!,
    ) as { data: { values: { search: string; evaluations: number }[] } };
    const final = spec.data.values.filter((v) => v.search === FINAL_SEARCH).map((v) => v.evaluations);
    expect(final).toEqual([1, 3, 5]);
  });

  it('says when nothing would be written', async () => {
    const o = outcome();
    o.result!.write = false;
    const html = await renderTuneHtml(o, { ...opts, written: null });
    expect(html).toContain('Verdict: not written');
  });
});

describe('the objective in words', () => {
  const m: Metric[] = ['e2e_mean', 'ttft_mean', 'itl_mean'];
  it('names the aggregation and any metric weight, as the report shows it', async () => {
    expect(objectiveNote(m, MEAN_OBJECTIVE)).toBe(
      'mean over experiments of the mean APE of e2e_mean, ttft_mean, itl_mean (whole-run points)',
    );
    expect(objectiveNote(m, { agg: 'rmse', weights: { ttft_mean: 1.5 } })).toBe(
      'root mean square over experiments of the weighted mean APE of e2e_mean (weight 1), ttft_mean (weight 1.5), itl_mean (weight 1) (whole-run points)',
    );
    const html = await renderTuneHtml(
      { ...outcome(), objective: { agg: 'mean', weights: { ttft_mean: 2 } } },
      opts,
    );
    expect(html).toContain('weighted mean APE of e2e_mean (weight 1), ttft_mean (weight 2)');
  });
});
