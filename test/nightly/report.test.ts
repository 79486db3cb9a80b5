import { readdirSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { compareRecords } from '../../src/nightly/compare.ts';
import type { NightlyOutcome } from '../../src/nightly/outcome.ts';
import { buildRecord } from '../../src/nightly/record.ts';
import type { HistoryRecord } from '../../src/nightly/schema.ts';
import { renderNightlyHtml, trendSpec } from '../../src/report/nightly-html.ts';
import { renderNightlyMd } from '../../src/report/nightly-md.ts';
import { pp } from '../../src/report/nightly-tables.ts';
import { sampleRun } from '../support/eval-run.ts';

const METRICS = ['ttft_mean', 'itl_mean', 'e2e_mean'] as const;

function at(timestamp: string, v1E2e?: number): HistoryRecord {
  const built = buildRecord({ ...sampleRun(), createdAt: timestamp }, { commit: 'a'.repeat(40) });
  // Without per-point APEs: the MAPE-and-CI rule judges these hand-made moves.
  const r = { ...built, points: built.points.map(({ apes: _, ...p }) => p) };
  if (v1E2e !== undefined) {
    const s = r.models
      .find((m) => m.latencyModel === 'roofline-v1')!
      .metrics.find((x) => x.metric === 'e2e_mean')!;
    s.mape = v1E2e;
  }
  return r;
}

function outcome(history: HistoryRecord[], withBaseline = true): NightlyOutcome {
  const record = history.at(-1)!;
  const base = withBaseline ? history.at(-2) : undefined;
  return {
    record,
    history,
    baseline: base ? { record: base, source: 'history' } : null,
    comparison: base ? compareRecords(base, record, [...METRICS], 2) : null,
    metrics: [...METRICS],
    evalDir: 'eval',
  };
}

const day = (d: number) => `2025-01-0${d}T02:00:00.000Z`;

describe('nightly summary.md', () => {
  it("says first run with no baseline, and shows tonight's MAPE", () => {
    const md = renderNightlyMd(outcome([at(day(1))], false));
    expect(md.split('\n')[0]).toBe('**PASS** no regression: first run, no baseline to compare with');
    expect(md).toContain('Baseline: none');
    expect(md).toMatch(/\| e2e_mean \| [\d.]+% \| [\d.]+% \| [\d.]+% \|/);
  });

  it('passes with deltas when nothing moved beyond the margin', () => {
    const md = renderNightlyMd(outcome([at(day(1)), at(day(2))]));
    expect(md.split('\n')[0]).toBe('**PASS** no regression');
    expect(md).toContain('(0.0)');
    expect(md).toContain('Changed inputs since: none.');
  });

  it('leads with the regression, naming the latency model and metric, bold in the table', () => {
    const md = renderNightlyMd(outcome([at(day(1), 10), at(day(2), 30)]));
    expect(md.split('\n')[0]).toBe(
      '**REGRESSION** 1 metric(s) worse than the baseline by more than the margin: roofline-v1 e2e_mean +20.0 pp',
    );
    expect(md).toContain('**30.0% (+20.0)**');
    expect(md.split('\n').length).toBeLessThan(25);
  });

  it('reports a corrupted history under the verdict', () => {
    const o = {
      ...outcome([at(day(1))], false),
      corruption: { line: 3, reason: 'not valid JSON', movedTo: 'h.corrupt' },
    };
    const md = renderNightlyMd(o);
    expect(md.split('\n')[2]).toMatch(
      /^Warning: the history was corrupted \(line 3: not valid JSON\); kept aside as `h\.corrupt`/,
    );
  });

  it('formats percentage points without a negative zero', () => {
    expect([pp(0), pp(-0.01), pp(1.26), pp(-3)]).toEqual(['0.0', '0.0', '+1.3', '-3.0']);
  });
});

describe('nightly index.html', () => {
  const history = [at(day(1), 10), at(day(2), 10), at(day(3), 40)];

  it('has one trend row per run, metric and latency model', () => {
    const spec = trendSpec(history, METRICS) as { data: { values: unknown[] } };
    expect(spec.data.values).toHaveLength(3 * METRICS.length * 3);
  });

  it('shows the verdict, the regression row, the trend SVG and links to the evaluator report', async () => {
    const html = await renderNightlyHtml(outcome(history));
    expect(html).toContain('REGRESSION: 1 metric(s)');
    expect(html).toMatch(/<tr class="regression"><td>roofline-v1<\/td><td>e2e_mean<\/td>/);
    expect(html).toContain('<svg');
    expect(html).toContain('<a href="eval/index.html">');
    expect(html).not.toContain('<script');
  });

  it('renders the same bytes in any time zone', async () => {
    const saved = process.env.TZ;
    try {
      process.env.TZ = 'UTC';
      const a = await renderNightlyHtml(outcome(history));
      process.env.TZ = 'America/Los_Angeles';
      const b = await renderNightlyHtml(outcome(history));
      process.env.TZ = 'Asia/Kolkata';
      const c = await renderNightlyHtml(outcome(history));
      expect(b).toBe(a);
      expect(c).toBe(a);
      expect(a).toContain('2025-01-02 02:00');
    } finally {
      if (saved === undefined) delete process.env.TZ;
      else process.env.TZ = saved;
    }
  });
});

describe('layering', () => {
  it('nightly/ imports nothing from report/: renderers take its plain data, the command wires them', () => {
    const dir = 'src/nightly';
    for (const f of readdirSync(dir)) {
      expect(readFileSync(`${dir}/${f}`, 'utf8'), f).not.toMatch(/from '\.\.\/report\//);
    }
  });
});
