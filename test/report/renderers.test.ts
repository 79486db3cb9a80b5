import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { errorRows } from '../../src/eval/stats.ts';
import { loadChart } from '../../src/report/charts.ts';
import { csvNumber, renderErrorsCsv } from '../../src/report/errors-csv.ts';
import { renderHtml } from '../../src/report/html.ts';
import { renderSummaryMd } from '../../src/report/summary-md.ts';
import { scopeSvgIds } from '../../src/report/svg.ts';
import { renderTerminal } from '../../src/report/terminal.ts';
import { writeReportFiles } from '../../src/report/write.ts';
import { badPoint, okPoint, samplePoints, sampleRun } from '../support/eval-run.ts';

const ESC = '\u001b';

describe('errors.csv', () => {
  it('has the exact header, fixed number format and empty cells for nulls', () => {
    const csv = renderErrorsCsv(errorRows(samplePoints()));
    const lines = csv.split('\n');
    expect(lines[0]).toBe(
      'experiment,point,latency_model,seed,model,gpu,tp,workload_family,workload_form,metric,' +
        'measured,predicted,abs_error,ape,pe,status,reason,failure_class,workload_mismatch,gt_overloaded',
    );
    const ctx = '42,meta-llama/llama-3.1-8b-instruct,H100,1,general,resolved';
    expect(lines[1]).toBe(`exp-a,summary,blackbox,${ctx},ttft_mean,50,45,5,10,-10,ok,,,,false`);
    expect(lines).toContain(
      `exp-a,summary,roofline-v2,${ctx},e2e_mean,1000,,,,,not_applicable,"no MFU tables for H100, ""tp=1""",,,false`,
    );
    expect(lines).toContain(
      `exp-a,stage-0,blackbox,${ctx},itl_mean,7,20,13,185.7142857,185.7142857,ok,,,,false`,
    );
    expect(lines.find((l) => l.startsWith('exp-b,qps-1,roofline-v2'))).toMatch(
      /,failed,worker crashed: out of memory,failed: worker crashed: out of memory,,false$/,
    );
    expect(csv.endsWith('\n')).toBe(true);
  });

  it('quotes fields per RFC 4180', () => {
    const p = okPoint('a,"b"\nc', 'summary', 'blackbox', { e2e_mean: 3 }, { e2e_mean: 4 });
    const line = renderErrorsCsv(errorRows([p]))
      .split('\n')
      .slice(1, 3)
      .join('\n');
    expect(line).toBe(
      '"a,""b""\nc",summary,blackbox,42,meta-llama/llama-3.1-8b-instruct,H100,1,general,resolved,' +
        'e2e_mean,3,4,1,33.33333333,33.33333333,ok,,,,false',
    );
  });

  it('prints numbers with ten significant digits at most', () => {
    expect(csvNumber(0.1 + 0.2)).toBe('0.3');
    expect(csvNumber(1234.56789012345)).toBe('1234.56789');
    expect(csvNumber(null)).toBe('');
    expect(csvNumber(Number.NaN)).toBe('');
    expect(csvNumber(-0)).toBe('0');
  });
});

describe('terminal report', () => {
  it('shows the latency models, MAPE and bias, counts, and no ANSI codes', () => {
    const out = renderTerminal(sampleRun(), { verbose: false });
    expect(out).not.toContain(ESC);
    for (const m of ['blackbox', 'roofline-v1', 'roofline-v2', 'meta-llama/llama-3.1-8b-instruct']) {
      expect(out).toContain(m);
    }
    // blackbox e2e_mean: APEs 10, 5, 10 and PEs +10, −5, −10; the headline holds its 3 points.
    expect(out).toMatch(/^e2e_mean +blackbox +3 +8\.3% +10\.0% +-1\.7% +8\.3%$/m);
    // roofline-v2 ran 1 of blackbox's 3 points: out of the headline, in paired lines.
    expect(out).toMatch(/^ +roofline-v2 +1 +1\.7% +1\.7% +\+1\.7% +—$/m);
    const flat = out.replace(/\s+/g, ' ');
    expect(flat).toContain(
      'Fair comparison on 2 of the 2 experiment(s), n = 3 point(s), that blackbox, roofline-v1 all ran. ' +
        'Left out of it for low coverage, and compared pairwise below: roofline-v2: 1 of 2 experiments (1 of 3 points).',
    );
    expect(flat).toContain(
      '- e2e_mean: too few experiments to rank (2 experiment(s), n = 3; 3 needed); MAPE blackbox 8.3%, roofline-v1 20.0%',
    );
    expect(out).toContain('roofline-v2 vs blackbox on the 1 experiment(s), n = 1 point(s), both ran:');
    // Outliers carry their class, wrapped within the width.
    expect(out).toMatch(
      /exp-b qps-1\n {2}roofline-v2 +—( +—){3} {2}failed: worker crashed: out\n +of memory/,
    );
    expect(flat).toContain('roofline-v2 — — — — failed: worker crashed: out of memory');
    for (const line of out.split('\n')) expect([...line].length, line).toBeLessThanOrEqual(80);
    expect(out).not.toContain('INCOMPLETE');
    expect(out).toContain('KV blocks derived from GPU memory');
    expect(out).not.toContain('stage-0');
  });

  it('keeps outliers of a long-named, flagged experiment inside 80 columns', () => {
    const name = 'Llama-3.1-8B-Instruct inference-perf rate=1,31.4,61.79,92.19,122.59,152.98,183.38';
    const meta = { ...samplePoints()[0]!.meta, overloaded: true as const };
    const point = (s: number, m: 'blackbox' | 'trained-physics', predicted: number) =>
      okPoint(
        name,
        `stage-${s}`,
        m,
        { ttft_mean: 2617, e2e_mean: 3000 },
        { ttft_mean: predicted, e2e_mean: 2900 },
        meta,
      );
    const run = sampleRun([
      point(4, 'blackbox', 13.1),
      point(4, 'trained-physics', 28),
      point(5, 'blackbox', 13.2),
    ]);
    const out = renderTerminal(run, { verbose: true });
    for (const line of out.split('\n')) expect([...line].length, line).toBeLessThanOrEqual(80);
    expect(out).toMatch(
      /stage-4 \[ground truth:\s+overloaded\]\n {2}blackbox +ttft_mean +2617 +13\.10 +0\.0050x +predicted underload/,
    );
    expect(out.replace(/\s+/g, ' ')).toContain(`Flagged overloaded in the ground truth`);
  });

  it('lists every point and the reasons with verbose, and marks an interrupted run', () => {
    const out = renderTerminal(sampleRun(samplePoints(), false), { verbose: true, metrics: ['e2e_mean'] });
    expect(out.startsWith('INCOMPLETE (interrupted)')).toBe(true);
    expect(out).toContain('stage-0');
    expect(out).toMatch(/exp-a stage-0\n {2}blackbox +122\.2%/);
    expect(out).toMatch(/exp-b qps-1\n(.*\n){2} {2}roofline-v2 +failed/);
    for (const line of out.split('\n')) expect([...line].length, line).toBeLessThanOrEqual(80);
    expect(out).not.toContain(ESC);
  });
});

describe('summary.md', () => {
  it('has the accuracy, count, breakdown, issue and experiment tables', () => {
    const md = renderSummaryMd(sampleRun());
    expect(md).toContain('# blis-eval evaluation abc123def456');
    expect(md).toContain(
      '| latency model | metric | n | MAPE | 95 % CI | median APE | p90 APE | max APE | bias |',
    );
    expect(md).toMatch(/\| blackbox \| e2e_mean \| 3 \| 8\.3% \| \[[\d.]+, [\d.]+\] \|/);
    expect(md).toContain('| roofline-v2 | 1 | 1 | 1 |');
    for (const by of ['model', 'gpu', 'tp', 'family']) expect(md).toContain(`## By ${by}`);
    expect(md).toContain('| n.a. | roofline-v2 | no MFU tables for H100, "tp=1" | 2 | exp-a |');
    expect(md).toContain(
      '| exp-b | qps-1 | roofline-v2 | 42 |  | — | — | — | — | — | failed: worker crashed: out of memory |',
    );
    expect(md.indexOf('## Verdict')).toBeLessThan(md.indexOf('## Accuracy'));
    expect(md).toContain('- e2e_mean: too few experiments to rank (2 experiment(s), n = 3; 3 needed)');
    expect(md).toContain('- e2e_mean: too few experiments to rank (1 experiment(s), n = 1; 3 needed)');
    expect(md).toContain('| profile | 12345 (derived) | qps-1, qps-2 |  |');
    expect(md).toContain('aaaaaaaaaaaa');
    expect(md.match(/2025-01-02T03:04:05\.000Z/g)).toHaveLength(1);
  });

  it('escapes pipes and angle brackets', () => {
    const pts = [badPoint('x|<b>', 'summary', 'blackbox', 'failed', 'a | b', { e2e_mean: 1 })];
    const md = renderSummaryMd(sampleRun(pts));
    expect(md).toContain('| failed | blackbox | a \\| b | 1 | x\\|&lt;b&gt; |');
  });
});

describe('index.html', () => {
  it('inlines three SVG charts, escapes names and renders byte-identically', async () => {
    const run = sampleRun(samplePoints('<script>alert(1)</script>'));
    const a = await renderHtml(run);
    const b = await renderHtml(run);
    expect(a).toBe(b);
    expect(a.match(/<svg/g)?.length).toBeGreaterThanOrEqual(3);
    expect(a).not.toContain('<script');
    expect(a).toContain('&lt;script&gt;alert(1)&lt;/script&gt;');
    expect(a).not.toMatch(/(src|href)="https?:/);
    const ids = [...a.matchAll(/ id="([^"]+)"/g)].map((m) => m[1]);
    expect(new Set(ids).size).toBe(ids.length);
  });

  it('leads with the verdict; charts carry tooltips, a log MAPE axis, every headline metric signed', async () => {
    const html = await renderHtml(sampleRun());
    const h2 = [...html.matchAll(/<h2>([^<]+)<\/h2>/g)].map((m) => m[1]);
    expect(h2[0]).toBe('Verdict');
    expect(h2).toEqual(
      expect.arrayContaining(['MAPE by metric', 'Error per experiment', 'Error against load']),
    );
    // Scatter points can be identified: experiment, point, model and values in a <title>.
    expect(html).toContain(
      '<title>exp-b qps-2, roofline-v2: ttft_mean measured 120.0 ms, predicted 118.0 ms (APE 1.7%)</title>',
    );
    expect(html).toContain('MAPE (%, log)');
    // The heat table has a column per headline metric and model, with signed labels.
    for (const m of ['ttft_mean', 'ttft_p90', 'itl_mean', 'e2e_mean', 'e2e_p90'])
      expect(html).toContain(`${m} · blackbox`);
    expect(html).toMatch(/>[+-]\d+<\/text>/);
    // n.a. and failed points grouped by reason.
    expect(html).toContain('no MFU tables for H100, &quot;tp=1&quot;</td><td class="r">2</td>');
  });

  it('plots predicted / measured against load, so an under-prediction falls as far as an over-prediction rises', () => {
    const stage = (s: number, predicted: number) =>
      okPoint('k', `stage-${s}`, 'roofline-v1', { ttft_mean: 25 * 100 ** s }, { ttft_mean: predicted });
    const chart = loadChart(sampleRun([stage(0, 25), stage(1, 25), stage(2, 25 * 100 ** 3)]))!;
    const values = (chart.spec as { data: { values: { point?: string; ratio?: number; rule?: number }[] } })
      .data.values;
    expect(values.filter((v) => v.point !== undefined).map((v) => v.ratio)).toEqual([1, 0.01, 100]);
    expect(values.filter((v) => v.rule !== undefined).map((v) => v.rule)).toEqual([0.5, 1, 2]);
  });

  it('renames Vega clip and gradient ids per chart', () => {
    const svg =
      '<clipPath id="clip7"></clipPath><g clip-path="url(#clip7)"></g><rect fill="url(#gradient_3)"/>';
    expect(scopeSvgIds(svg, 'c1')).toBe(
      '<clipPath id="c1-1"></clipPath><g clip-path="url(#c1-1)"></g><rect fill="url(#c1-2)"/>',
    );
  });
});

describe('replay vs measurement', () => {
  it('labels a workload mismatch in the terminal, summary.md, index.html and errors.csv', async () => {
    const points = samplePoints();
    const sent = { completed: 4800, promptMean: 1082, outputMean: 1101, requestsPerSec: 3.1 };
    points[0]!.replay = {
      sent,
      measured: { completed: 732, promptMean: 1082.2, outputMean: 1100.6, requestsPerSec: 0.49 },
      mismatch: ['completed', 'requestsPerSec'],
    };
    const run = sampleRun(points);
    const label = 'workload mismatch: completed requests, requests/s';
    const term = renderTerminal(run, { verbose: false });
    expect(term).toContain('Replay vs measurement');
    expect(term).toContain(label);
    expect(term).toContain('4800 / 732');
    expect(term).toContain('KV leak: fixed');
    // Points that match are counted, and listed only when verbose.
    points[3]!.replay = { sent, measured: { completed: 4800 }, mismatch: [] };
    const both = sampleRun(points);
    expect(renderTerminal(both, { verbose: false })).toContain('- 1 other checked point(s) match within 5 %');
    expect(renderTerminal(both, { verbose: false })).not.toContain('exp-a stage-0 (');
    expect(renderTerminal(both, { verbose: true })).toContain('4800 / 4800');
    const md = renderSummaryMd(run);
    expect(md).toContain('## Replay vs measurement');
    expect(md).toContain(
      `| exp-a | summary | resolved | 4800 / 732 | 1082 / 1082.2 | 1101 / 1100.6 | 3.10 / 0.49 | ${label} |`,
    );
    expect(await renderHtml(run)).toContain(label);
    expect(renderErrorsCsv(errorRows(points)).split('\n')[1]).toMatch(
      /,ok,,"workload mismatch \(completed, requestsPerSec\)",completed;requestsPerSec,false$/,
    );
    // A run without checked points says so and shows no terminal table.
    expect(renderTerminal(sampleRun(), { verbose: false })).not.toContain('Replay vs measurement');
    expect(renderSummaryMd(sampleRun())).toContain('No point reports its requests.');
  });
});

describe('writeReportFiles', () => {
  it('writes the four report files', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'blis-eval-report-'));
    try {
      const run = sampleRun();
      const out = join(dir, 'nested', 'run');
      const paths = await writeReportFiles(out, run);
      expect(paths).toEqual(
        ['results.json', 'errors.csv', 'summary.md', 'index.html'].map((f) => join(out, f)),
      );
      expect(JSON.parse(readFileSync(paths[0]!, 'utf8'))).toEqual(run);
      expect(readFileSync(paths[0]!, 'utf8').endsWith('}\n')).toBe(true);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('the scope note', () => {
  it('names an experiment left out for its failed requests in every renderer, and only then', async () => {
    const meta = { ...samplePoints()[0]!.meta, failedFraction: 0.848 };
    const censored = okPoint('exp-x', 'summary', 'blackbox', { e2e_mean: 100 }, { e2e_mean: 900 }, meta);
    const run = sampleRun([...samplePoints(), censored]);
    const note = 'Left out of them: exp-x (84.8 %)';
    expect(renderSummaryMd(run)).toContain(note);
    expect(await renderHtml(run)).toContain(note);
    expect(renderTerminal(run, { verbose: false }).replace(/\s+/g, ' ')).toContain(note);
    expect(renderSummaryMd(sampleRun())).not.toContain('Left out of them');
  });
});
