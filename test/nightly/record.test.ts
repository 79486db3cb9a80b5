import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { InputError } from '../../src/errors.ts';
import { buildRecord, recordFromResultsFile } from '../../src/nightly/record.ts';
import { historyRecordSchema } from '../../src/nightly/schema.ts';
import { gitCommit } from '../../src/nightly/session.ts';
import { sampleRun } from '../support/eval-run.ts';

const tmp = () => mkdtempSync(join(tmpdir(), 'rec-'));

describe('history records', () => {
  it('holds provenance, per model and metric MAPE, median APE, bias, CI and counts, and point statuses', () => {
    const run = sampleRun();
    const r = buildRecord(run, { commit: 'a'.repeat(40), report: 'reports/nightly/2025-01-02' });
    expect(historyRecordSchema.parse(r)).toEqual(r);
    expect(r).toMatchObject({
      schema: 1,
      timestamp: run.createdAt,
      tool: { name: 'blis-eval', version: '0.1.0' },
      commit: 'a'.repeat(40),
      runId: run.runId,
      inputs: run.inputs,
    });
    const v1 = run.stats.models.find((m) => m.latencyModel === 'roofline-v1')!;
    const e2e = v1.metrics.find((s) => s.metric === 'e2e_mean')!;
    expect(r.models.find((m) => m.latencyModel === 'roofline-v1')).toMatchObject({
      counts: v1.counts,
      metrics: expect.arrayContaining([
        {
          metric: 'e2e_mean',
          n: e2e.n,
          mape: e2e.mape,
          medianApe: e2e.medianApe,
          meanPe: e2e.meanPe,
          ci95: e2e.ci95,
        },
      ]),
    });
    expect(r.points).toHaveLength(run.points.length);
    expect(r.points[2]).toEqual({
      experiment: 'exp-a',
      point: 'summary',
      latencyModel: 'roofline-v2',
      seed: 42,
      status: 'not_applicable',
    });
  });

  it('leaves commit and report out when unknown, and is identical for identical runs', () => {
    const a = buildRecord(sampleRun());
    expect('commit' in a || 'report' in a).toBe(false);
    expect(JSON.stringify(buildRecord(sampleRun()))).toBe(JSON.stringify(a));
  });

  it('builds the same record from a results.json as from the run', () => {
    const run = sampleRun();
    const file = join(tmp(), 'results.json');
    writeFileSync(file, JSON.stringify(run, null, 2));
    expect(recordFromResultsFile(file)).toEqual(buildRecord(run));
  });

  it('rejects a --baseline that is missing, not JSON, not a results.json or incomplete (exit 2)', () => {
    const dir = tmp();
    const write = (name: string, text: string) => {
      writeFileSync(join(dir, name), text);
      return join(dir, name);
    };
    expect(() => recordFromResultsFile(join(dir, 'nope.json'))).toThrow(/not found/);
    expect(() => recordFromResultsFile(write('a.json', '{'))).toThrow(/not valid JSON/);
    expect(() => recordFromResultsFile(write('b.json', '{"runId": 3}'))).toThrow(
      /not an evaluator results\.json\n.*b\.json: tool/,
    );
    const partial = write('c.json', JSON.stringify(sampleRun(undefined, false)));
    expect(() => recordFromResultsFile(partial)).toThrow(InputError);
    expect(() => recordFromResultsFile(partial)).toThrow(/incomplete/);
  });

  it('reads the git commit of a checkout and tolerates a folder that is not one', () => {
    expect(gitCommit(tmp())).toBeUndefined();
    const here = gitCommit(process.cwd());
    if (here !== undefined) expect(here).toMatch(/^[0-9a-f]{40}$/);
  });
});
