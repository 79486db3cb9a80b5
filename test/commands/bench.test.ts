import { mkdirSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { describe, expect, it } from 'vitest';
import { validateDir } from '../../src/commands/bench.ts';
import { runCli } from '../support/cli.ts';
import { SHARED } from '../support/shared.ts';

// `blis-eval bench validate` and `bench import` through the real CLI.
const tmp = () => mkdtempSync(join(tmpdir(), 'bench-'));

/** Every CSV under dir, relative path → text. */
function csvTree(dir: string): Map<string, string> {
  const out = new Map<string, string>();
  for (const e of readdirSync(dir, { recursive: true, encoding: 'utf8' }).sort()) {
    if (e.endsWith('.csv')) out.set(relative(dir, join(dir, e)), readFileSync(join(dir, e), 'utf8'));
  }
  return out;
}

describe('blis-eval bench (CLI end to end)', () => {
  it('validates the shipped bench_data with exit 0', () => {
    const r = runCli(['bench', 'validate', 'bench_data']);
    expect(r.code, r.err).toBe(0);
    for (const gpu of ['h100', 'h20', 'h800']) expect(r.out).toMatch(new RegExp(`bench_data/${gpu}: OK`));
    expect(r.out).not.toMatch(/error:/);
  });

  it('rejects a non-numeric MFU with exit 2, naming the file and line', () => {
    const dir = tmp();
    mkdirSync(join(dir, 'gemm_bench'));
    const csv = join(dir, 'gemm_bench', 'gemm_fp16.csv');
    writeFileSync(csv, 'm,k,n,latency_us,mfu\n8,4096,6144,10.5,0.31\n16,4096,6144,11.0,abc\n');
    const r = runCli(['bench', 'validate', dir]);
    expect(r.code).toBe(2);
    expect(r.out).toContain(`${csv}:3: column 'mfu' is not a number`);
    expect(r.err).toContain(`bench validate: 1 error(s) in ${dir}`);
  });

  it('imports the InferSim H20 tables into a tree that validates and equals bench_data/h20', () => {
    const out = tmp();
    const from = join(SHARED, 'data', 'bench_data_reference', 'infersim_h20_h800');
    const r = runCli([
      'bench',
      'import',
      '--from',
      from,
      '--layout',
      'infersim',
      '--gpu',
      'h20',
      '--out',
      out,
    ]);
    expect(r.code, r.err).toBe(0);
    expect(r.out).toMatch(/wrote \d+ tables to /);
    const target = join(out, 'h20');
    expect(validateDir(target).errors).toBe(0);
    const imported = csvTree(target);
    expect(imported.size).toBeGreaterThan(10);
    expect(imported).toEqual(csvTree('bench_data/h20'));
  });
});
