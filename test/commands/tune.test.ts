import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { TuneResult } from '../../src/tune/outcome.ts';
import { runCli } from '../support/cli.ts';

const ARGS = [
  'tune',
  '--ground-truth',
  'test/fixtures/gt/staged.json',
  '--latency-model',
  'roofline-v1',
  '--hardware',
  'H100',
  '--hardware-config',
  'hardware_config.blis-v0.6.1.json',
  '--param',
  'mfuDecode=0.08:0.2:0.04',
  'TOverheadMicros=0:1500:500',
  '--method',
  'nelder-mead',
  '--max-evals',
  '6',
  '--dry-run',
  '--quiet',
  '--jobs',
  '1',
];

function tune(...extra: string[]): TuneResult {
  const out = join(mkdtempSync(join(tmpdir(), 'tune-cli-')), 'run');
  const r = runCli([...ARGS, '--out', out, ...extra]);
  expect(r.code, r.err).toBe(0);
  return JSON.parse(readFileSync(join(out, 'result.json'), 'utf8'));
}

describe('tune defaults', () => {
  it('searches on 10 % of each stage, checks every winner on full replays, and polishes the final fit', () => {
    const r = tune();
    for (const f of r.folds) {
      expect(f.search.method).toMatch(
        /searched on the first 10 % of each stage, then its winner and its start compared on full replays/,
      );
      expect(f.search.polish!.evaluations).toBeLessThanOrEqual(2);
    }
    expect(r.final.search.method).toMatch(/10 % of each stage, then a pattern search on full replays/);
    // The start and the winner, then up to two candidates per field.
    expect(r.final.search.polish!.evaluations).toBeLessThanOrEqual(2 + 2 * 2);
    expect(r.final.search.polish!.to).toBeLessThanOrEqual(r.final.search.polish!.start);
    expect(r.final.fitted.objective).toBe(r.final.search.polish!.to);
  });

  it('keeps the full-replay search with --fidelity 1', () => {
    const r = tune('--fidelity', '1');
    for (const s of [r.final.search, ...r.folds.map((f) => f.search)]) {
      expect(s.method).not.toMatch(/searched on|full replays/);
      expect(s.polish).toBeUndefined();
    }
  });
});
