import { copyFileSync, existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runCli } from '../support/cli.ts';

const FIX = resolve('test/fixtures/gt');
const tmp = () => mkdtempSync(join(tmpdir(), 'eval-'));

const cli = (...args: string[]) => runCli(args, tmp());

const withoutTime = (text: string) =>
  text.replace(/"?createdAt"?[:=]\s*"?[0-9T:.Z-]+"?,?/g, '').replace(/\d{4}-\d\d-\d\dT[\d:.]+Z/g, 'T');

describe('blis-eval --ground-truth (end to end)', () => {
  it('prints the tables, writes every report file, and exits 0', () => {
    const out = tmp();
    const r = cli('--ground-truth', join(FIX, 'qps-sweep.json'), '--jobs', '1', '--out', out, '--quiet');
    expect(r.err).toBe(`report: ${out}\n`);
    expect(r.code).toBe(0);
    for (const m of ['blackbox', 'roofline-v1', 'roofline-v2', 'trained-physics', 'ttft_mean', 'e2e_p90'])
      expect(r.out).toContain(m);
    const csv = readFileSync(join(out, 'errors.csv'), 'utf8').trim().split('\n');
    expect(csv[0]).toBe(
      'experiment,point,latency_model,seed,model,gpu,tp,workload_family,workload_form,metric,' +
        'measured,predicted,abs_error,ape,pe,status,reason,failure_class,workload_mismatch,gt_overloaded',
    );
    // 2 points × 5 measured metrics × 4 latency models.
    expect(csv).toHaveLength(1 + 2 * 5 * 4);
    expect(csv[1]).toMatch(
      /^llama8b-tp1-chat,qps-5,blackbox,\d+,meta-llama\/Llama-3\.1-8B-Instruct,H100,1,\w+,distribution,ttft_mean,20,[\d.]+,[\d.]+,[\d.]+,-?[\d.]+,ok,,,,false$/,
    );
    const results = JSON.parse(readFileSync(join(out, 'results.json'), 'utf8'));
    expect(results.complete).toBe(true);
    expect(results.inputs.groundTruth.sha256).toMatch(/^[0-9a-f]{64}$/);
    expect(results.stats.models.map((m: { latencyModel: string }) => m.latencyModel)).toEqual([
      'blackbox',
      'roofline-v1',
      'roofline-v2',
      'trained-physics',
    ]);
    expect(readFileSync(join(out, 'index.html'), 'utf8')).toContain('<svg');
    expect(readFileSync(join(out, 'summary.md'), 'utf8')).toContain('roofline-v2');
  });

  it('gives the same files for --jobs 1 and --jobs 2, apart from the timestamp', () => {
    const [a, b] = [tmp(), tmp()];
    const gt = join(FIX, 'staged.json');
    expect(cli('--ground-truth', gt, '--jobs', '1', '--out', a, '--quiet').code).toBe(0);
    expect(cli('--ground-truth', gt, '--jobs', '2', '--out', b, '--quiet').code).toBe(0);
    for (const f of ['results.json', 'errors.csv', 'summary.md', 'index.html']) {
      expect(withoutTime(readFileSync(join(b, f), 'utf8')), f).toBe(
        withoutTime(readFileSync(join(a, f), 'utf8')),
      );
    }
    const results = JSON.parse(readFileSync(join(a, 'results.json'), 'utf8'));
    // The Qwen experiment has no total_kv_blocks: derived and marked.
    const qwen = results.experiments.find((x: { name: string }) => x.name === 'qwen7b-tp1-codegen');
    expect(qwen.meta.derivedKVBlocks).toBe(true);
    expect(qwen.meta.kvBlocks).toBeGreaterThan(1000);
    expect(results.points.filter((p: { point: string }) => p.point === 'stage-1')).toHaveLength(4);
  });

  it('records a not-applicable model with its reason; the rest finish', () => {
    const dir = tmp();
    const out = join(dir, 'report');
    const r = cli(
      '--ground-truth',
      join(FIX, 'qps-sweep.json'),
      '--jobs',
      '2',
      '--out',
      out,
      '--quiet',
      '--bench-data-path',
      dir,
      '--format',
      'json',
    );
    expect(r.code).toBe(0);
    const run = JSON.parse(r.out);
    const status = (m: string) => run.points.filter((p: { latencyModel: string }) => p.latencyModel === m);
    expect(status('blackbox').every((p: { status: string }) => p.status === 'ok')).toBe(true);
    expect(status('roofline-v1').every((p: { status: string }) => p.status === 'ok')).toBe(true);
    expect(status('roofline-v2')[0]).toMatchObject({
      status: 'not_applicable',
      reason: expect.stringMatching(/no MFU tables for GPU H100/),
    });
    const csv = readFileSync(join(out, 'errors.csv'), 'utf8');
    expect(csv).toMatch(
      /,roofline-v2,42,[^\n]*,ttft_mean,20,,,,,not_applicable,no MFU tables for GPU H100[^\n]*,,,false\n/,
    );
  });

  it('lists under-predicted queueing as "predicted underload" and shows the overloaded flag in every report', () => {
    const out = tmp();
    const r = cli(
      '--ground-truth',
      join(FIX, 'overloaded-staged.json'),
      '--jobs',
      '2',
      '--out',
      out,
      '--quiet',
    );
    expect(r.code).toBe(0);
    // The server's TTFT climbs to 2.5 s; every latency model's stays near the unloaded one.
    expect(r.out).toContain('llama8b-queued stage-2 [ground truth: overloaded]');
    expect(r.out).not.toContain('llama8b-calm summary [ground truth');
    for (const m of ['blackbox', 'roofline-v1', 'roofline-v2', 'trained-physics'])
      expect(r.out).toMatch(
        new RegExp(`llama8b-queued stage-2.*\\n(.*\\n)*? {2}${m} +ttft_mean +2500 .*predicted underload`),
      );
    expect(r.out).toContain('Flagged overloaded in the ground truth');
    // Two experiments: the verdict names no best model.
    expect(r.out).toContain('ttft_mean: too few experiments to rank (2 experiment(s), n = 2; 3 needed)');
    expect(r.out).not.toMatch(/ best, /);
    const html = readFileSync(join(out, 'index.html'), 'utf8');
    expect(html).toMatch(
      /<td>llama8b-queued<\/td><td>stage-2<\/td><td>roofline-v1<\/td><td class="r">\d+<\/td><td>overloaded<\/td><td>ttft_mean<\/td><td class="r">2500<\/td>.*predicted underload/,
    );
    expect(readFileSync(join(out, 'summary.md'), 'utf8')).toMatch(
      /\| llama8b-queued \| stage-2 \| roofline-v1 \| \d+ \| overloaded \| ttft_mean \| 2500 \|.*\| predicted underload \|/,
    );
    const csv = readFileSync(join(out, 'errors.csv'), 'utf8').trim().split('\n');
    expect(csv.filter((l) => l.startsWith('llama8b-queued,')).every((l) => l.endsWith(',true'))).toBe(true);
    expect(csv.filter((l) => l.startsWith('llama8b-calm,')).every((l) => l.endsWith(',false'))).toBe(true);
    expect(csv.some((l) => /^llama8b-queued,stage-2,roofline-v1,.*,predicted underload,/.test(l))).toBe(true);
    const results = JSON.parse(readFileSync(join(out, 'results.json'), 'utf8'));
    const meta = (name: string) => results.experiments.find((x: { name: string }) => x.name === name).meta;
    expect(meta('llama8b-queued').overloaded).toBe(true);
    expect(meta('llama8b-calm').overloaded).toBeUndefined();
    expect(results.stats.common.verdicts[0]).toMatchObject({ ranked: false, best: null, experiments: 2 });
  });

  it('exits 1 when --fail-above is exceeded and 2 on a malformed file, writing nothing', () => {
    const report = tmp();
    const gated = cli(
      '--ground-truth',
      join(FIX, 'qps-sweep.json'),
      '--jobs',
      '1',
      '--latency-models',
      'blackbox',
      '--fail-above',
      '0.001',
      '--metrics',
      'e2e_mean',
      '--quiet',
      '--out',
      report,
    );
    expect(gated.code).toBe(1);
    // Which model and metric crossed, on stderr and in summary.md.
    expect(gated.err).toMatch(/--fail-above 0\.001%: blackbox e2e_mean MAPE [\d.]+% is above it/);
    expect(readFileSync(join(report, 'summary.md'), 'utf8')).toMatch(
      /\*\*--fail-above 0\.001%: blackbox e2e_mean MAPE [\d.]+% is above it\*\*/,
    );
    const dir = tmp();
    copyFileSync(join(FIX, 'qps-sweep.json'), join(dir, 'gt.json'));
    const bad = readFileSync(join(dir, 'gt.json'), 'utf8').replace(
      '"tensor_parallelism": 1',
      '"tensor_parallelism": "one"',
    );
    writeFileSync(join(dir, 'gt.json'), bad);
    const out = join(dir, 'report');
    const r = cli('--ground-truth', join(dir, 'gt.json'), '--out', out);
    expect(r.code).toBe(2);
    expect(r.err).toMatch(/gt\.json: experiments\[0\] "llama8b-tp1-chat": vllm_config\.tensor_parallelism/);
    expect(existsSync(out)).toBe(false);
    expect(cli('--ground-truth', join(FIX, 'qps-sweep.json'), '--latency-models', 'magic').code).toBe(2);
  });
});
