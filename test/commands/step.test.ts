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
const sum = (c: Record<string, number>) => Object.values(c).reduce((a, v) => a + v, 0);

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
      expect(tp.basis_us.T_weight_us).toBeCloseTo(c.terms_float_recomputed.T_weight_us!, 6);
      expect(sum(tp.contributions_us)).toBe(c.step_time_us);
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

  it('prints a row per model that applies in 80 columns, then the others with their reasons; --prefill/--decode = the same groups in --batch', () => {
    const r = runCli([...llama, '--hardware', 'L40S', '--prefill', '512@1024', '--decode', '8@2000']);
    expect(r.code, r.err).toBe(0);
    const lines = r.out.trimEnd().split('\n');
    for (const l of lines) expect(l.length, l).toBeLessThanOrEqual(80);
    const rows = lines.filter((l) => /^│ \S/.test(l)).map((l) => l.split('│')[1]!.trim());
    expect(rows).toEqual(['latency model', 'roofline-v1', 'trained-physics']);
    const notes = r.out.slice(r.out.indexOf('Not applicable:'));
    expect(notes).toMatch(/^ {2}blackbox +no blackbox coefficients/m);
    expect(notes).toMatch(/^ {2}roofline-v2 +no MFU tables for GPU L40S/m);
    expect(r.out).toMatch(/= [\d.]+ prefill compute \+/);
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
    expect(json['trained-physics'].counts).toEqual({
      requests: 9,
      prefill_tokens: 512,
      decode_requests: 8,
      decode_context: 16000,
    });
    expect(json['roofline-v1'].alone_us.prefill).toBeGreaterThan(0);
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

  it.each([
    ['--prefill', '8192@30000', '--decode', '200@4096'],
    ['--prefill', '17'],
    ['--decode', '1@1'],
    ['--prefill', '300@700', '--decode', '5@33000', '--decode', '60@10'],
  ])('contributions add up exactly to the step time, no contribution above it (%s %s …)', (...batch) => {
    for (const tp of batch.length > 2 ? ['2'] : ['1']) {
      const r = runCli([
        'step',
        '--model',
        'meta-llama/llama-3.1-8b-instruct',
        '--tp',
        tp,
        '--hardware',
        'H100',
        '--json',
        ...batch,
      ]);
      expect(r.code, r.err).toBe(0);
      // roofline-v2 clamps a GEMM shape outside H100's tables dimension by dimension.
      expect(r.err).toContain('GEMM K=14336 N=4096 exceeds every measured shape; using K=8192 N=6144');
      const json = JSON.parse(r.out).latency_models;
      for (const m of ['trained-physics', 'blackbox']) {
        const a = json[m];
        if (a.not_applicable) continue;
        expect(sum(a.contributions_us), m).toBe(a.step_time_us);
        for (const v of Object.values(a.contributions_us) as number[])
          expect(v).toBeLessThanOrEqual(a.step_time_us + 1);
      }
    }
  });

  it('exits 2 when no latency model applies, naming why for each (models with one reason together)', () => {
    const ambiguous = runCli([...llama, '--hardware', 'A100', '--decode', '4@100']);
    expect(ambiguous.code).toBe(2);
    expect(ambiguous.out).toBe('');
    expect(ambiguous.err).toContain(
      'no latency model applies to meta-llama/llama-3.1-8b-instruct on A100 TP 1',
    );
    expect(ambiguous.err).toMatch(/^ {2}blackbox: no blackbox coefficients/m);
    expect(ambiguous.err).toMatch(
      /^ {2}roofline-v1, roofline-v2, trained-physics: .*GPU 'A100' is ambiguous: name one of A100-40GB, A100-80GB/m,
    );
    // A model nothing knows, in a model-config folder outside the repository.
    const empty = tmp();
    const unknown = runCli([
      'step',
      '--model',
      'acme/tiny',
      '--tp',
      '1',
      '--hardware',
      'H100',
      '--decode',
      '4@100',
      '--model-config-folder',
      empty,
    ]);
    expect(unknown.code).toBe(2);
    expect(unknown.out).toBe('');
    for (const m of ['blackbox', 'roofline-v1', 'roofline-v2', 'trained-physics'])
      expect(unknown.err).toMatch(new RegExp(`[ ,]${m}[,:]`));
    expect(unknown.err).toContain('acme/tiny');
  });

  it('the hardware config name of a GPU (A100-80GB) finds the coefficient rows spelt A100-80', () => {
    const r = runCli([...llama, '--hardware', 'A100-80GB', '--decode', '4@100', '--json']);
    expect(r.code, r.err).toBe(0);
    const json = JSON.parse(r.out).latency_models;
    expect(json.blackbox.step_time_us).toBeGreaterThan(0);
    expect(json['trained-physics'].step_time_us).toBeGreaterThan(0);
  });

  it('lists every flag problem, not only the first', () => {
    const r = runCli(['step', '--tp', 'x', '--decode', '4', '--latency-model', 'nope']);
    expect(r.code).toBe(2);
    for (const m of [
      '--model <id> is required',
      '--hardware <gpu> is required',
      '--tp must be',
      "--decode '4'",
      "unknown 'nope'",
    ])
      expect(r.err).toContain(m);
    expect(r.err).toContain('5 problems');
  });
});
