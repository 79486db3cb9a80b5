import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { BIN, REPO, runCli } from '../support/cli.ts';
import { tpReference } from '../support/trained-physics.ts';

const ref = tpReference();
const tmp = () => mkdtempSync(join(tmpdir(), 'step-'));
const llama = ['step', '--model', 'meta-llama/llama-3.1-8b-instruct', '--tp', '1'];

describe('blis-eval step (CLI end to end)', () => {
  // bf16 llama-3.1-8b: the shipped peaks of H100, A100 and L40S are BLIS's for this model.
  const cases = ['H100', 'A100-80', 'L40S'].map(
    (gpu) =>
      ref.cases.filter((c) => c.config_dir === 'llama-3.1-8b-instruct' && c.gpu === gpu && c.tp === 1)[7]!,
  );
  it.each(cases.map((c) => [c.gpu, c.case, c] as const))(
    'a reference case (%s %s) through --batch gives BLIS v0.7.1 step time',
    (gpu, _n, c) => {
      const file = join(tmp(), 'batch.json');
      writeFileSync(file, JSON.stringify(c.batch));
      const r = runCli([
        ...llama,
        '--hardware',
        gpu,
        '--latency-model',
        'trained-physics',
        '--batch',
        file,
        '--json',
      ]);
      expect(r.code, r.err).toBe(0);
      const tp = JSON.parse(r.out).latency_models['trained-physics'];
      expect(tp.step_time_us).toBe(c.step_time_us);
      expect(tp.terms.T_weight_us).toBeCloseTo(c.terms_float_recomputed.T_weight_us!, 6);
    },
  );

  it('reads a whole reference case from stdin (-)', () => {
    const c = cases[0]!;
    const r = spawnSync(
      process.execPath,
      [BIN, ...llama, '--hardware', 'H100', '--latency-model', 'trained-physics', '--batch', '-', '--json'],
      { input: JSON.stringify(c), encoding: 'utf8', cwd: REPO },
    );
    expect(r.status, r.stderr).toBe(0);
    expect(JSON.parse(r.stdout).latency_models['trained-physics'].step_time_us).toBe(c.step_time_us);
  });

  it('prints a table row per model, with not-applicable reasons; --prefill/--decode = the same groups in --batch', () => {
    const r = runCli([...llama, '--hardware', 'L40S', '--prefill', '512@1024', '--decode', '8@2000']);
    expect(r.code, r.err).toBe(0);
    for (const m of ['blackbox', 'roofline-v1', 'roofline-v2', 'trained-physics']) expect(r.out).toContain(m);
    expect(r.out).toContain('not applicable: no MFU tables for GPU L40S');
    const file = join(tmp(), 'b.json');
    writeFileSync(
      file,
      JSON.stringify([
        { count: 1, input_len: 1024, progress: 512, new_tokens: 512, output_len: 1 },
        { count: 8, input_len: 2000, progress: 2000, new_tokens: 1, output_len: 1 },
      ]),
    );
    const a = runCli([
      ...llama,
      '--hardware',
      'L40S',
      '--prefill',
      '512@1024',
      '--decode',
      '8@2000',
      '--json',
    ]);
    const b = runCli([...llama, '--hardware', 'L40S', '--batch', file, '--json']);
    expect(a.out).toBe(b.out);
    const json = JSON.parse(a.out).latency_models;
    expect(Object.keys(json)).toEqual(['blackbox', 'roofline-v1', 'roofline-v2', 'trained-physics']);
    expect(json['roofline-v2'].not_applicable).toMatch(/no MFU tables/);
    expect(json['roofline-v1'].step_time_us).toBeGreaterThan(0);
    expect(json['trained-physics'].terms).toMatchObject({ B: 9, T_pf: 512, N_dc: 8, C: 16000 });
  });

  it('--beta-coeffs / --alpha-coeffs replace the trained-physics set', () => {
    const r = runCli([
      ...llama,
      '--hardware',
      'H100',
      '--latency-model',
      'trained-physics',
      '--decode',
      '1@100',
      '--beta-coeffs',
      '0,0,0,0,0,0,123',
      '--json',
    ]);
    expect(r.code, r.err).toBe(0);
    expect(JSON.parse(r.out).latency_models['trained-physics'].step_time_us).toBe(123);
  });

  it.each([
    [['--batch', 'BAD'], '[0].input_len'],
    [['--prefill', '0'], "--prefill '0'"],
    [['--decode', '4'], "--decode '4'"],
    [['--decode', '1@10', '--latency-model', 'nope'], "unknown 'nope'"],
    [['--decode', '1@10', '--beta-coeffs', '1,x'], '--beta-coeffs'],
    [[], 'give the batch'],
  ])('bad input %j exits 2 naming the field', (args, msg) => {
    const dir = tmp();
    const bad = join(dir, 'bad.json');
    writeFileSync(
      bad,
      JSON.stringify([{ count: 1, input_len: 'x', progress: 0, new_tokens: 1, output_len: 1 }]),
    );
    const r = runCli([...llama, '--hardware', 'H100', ...args.map((a) => (a === 'BAD' ? bad : a))]);
    expect(r.code).toBe(2);
    expect(r.err).toContain(msg);
    expect(r.out).toBe('');
  });

  it('an unknown batch field and a missing --model exit 2', () => {
    const file = join(tmp(), 'x.json');
    writeFileSync(
      file,
      JSON.stringify([{ count: 1, input_len: 1, progress: 0, new_tokens: 1, output_len: 1, foo: 1 }]),
    );
    const r = runCli([...llama, '--hardware', 'H100', '--batch', file]);
    expect(r.code).toBe(2);
    expect(r.err).toContain('foo');
    const m = runCli(['step', '--hardware', 'H100', '--tp', '1', '--decode', '1@10']);
    expect(m.code).toBe(2);
    expect(m.err).toContain('--model');
  });
});
