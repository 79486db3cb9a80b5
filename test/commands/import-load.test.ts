import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { copySample, SAMPLES } from '../import/helpers.ts';
import { REPO, runCli } from '../support/cli.ts';

/** Import, then evaluate: a Poisson inference-perf run and a synchronous (closed-loop) client. */
const tmp = () => mkdtempSync(join(tmpdir(), 'import-load-'));

function evaluate(gt: string, dir: string, out: string, extra: string[] = []) {
  const r = runCli(['--ground-truth', gt, '--out', join(dir, out), '--jobs', '1', '--quiet', ...extra], dir);
  const results = JSON.parse(readFileSync(join(dir, out, 'results.json'), 'utf8')) as {
    points: { status: string; latencyModel: string; meta: { workloadForm: string } }[];
  };
  return { ...r, results };
}

describe('import + evaluate: load as the client drove it', () => {
  it('a Poisson inference-perf run replays with drawn arrivals, says so, and gives the same files twice', () => {
    const codegen = 'inference-perf/training-20260217-155451-llama-2-7b-tp1-codegen';
    const run = copySample(codegen, {
      'results/config.yaml': (c) => c.replace('type: constant', 'type: poisson'),
    });
    const dir = tmp();
    const imp = runCli(
      ['import', run, '--hardware', 'H100', '--total-kv-blocks', '7463', '--out', 'gt.json'],
      dir,
    );
    expect(imp.code).toBe(0);
    expect(imp.out).toContain(
      'Llama-2-7b-hf inference-perf poisson rate=5,10: inference-perf, 2 stages + summary',
    );
    const args = ['--latency-models', 'roofline-v2'];
    const a = evaluate('gt.json', dir, 'a', args);
    expect(a.code).toBe(0);
    expect(a.out.replace(/\s+/g, ' ')).toContain(
      'Replay notes (arrivals drawn, closed loops): Llama-2-7b-hf inference-perf poisson rate=5,10 (arrivals drawn (Poisson at the stage rates), not the run’s own',
    );
    expect(a.results.points.every((p) => p.status === 'ok')).toBe(true);
    expect(a.results.points[0]!.meta.workloadForm).toMatch(/^measured; arrivals drawn/);
    expect(readFileSync(join(dir, 'a', 'summary.md'), 'utf8')).toContain(
      'arrivals drawn (Poisson at the stage rates)',
    );
    // Seeded: the same drawn arrivals, so the same predictions.
    const b = evaluate('gt.json', dir, 'b', args);
    const strip = (s: string) => s.replace(/"(createdAt|runId|wallSeconds|elapsed[A-Za-z]*)": [^,\n]+/g, '');
    expect(strip(readFileSync(join(dir, 'b', 'errors.csv'), 'utf8'))).toBe(
      strip(readFileSync(join(dir, 'a', 'errors.csv'), 'utf8')),
    );
    expect(b.code).toBe(0);
  });

  it('a guidellm synchronous run replays as a closed loop of one', () => {
    const dir = tmp();
    const imp = runCli(
      [
        'import',
        join(SAMPLES, 'guidellm', 'guidellm-bench-qwen3-4b-thinking-tp2-fp8'),
        '--hardware',
        'H100',
        '--model-config',
        join(REPO, 'model_configs', 'qwen3-4b'),
        '--out',
        'gt.json',
      ],
      dir,
    );
    expect(imp.code).toBe(0);
    expect(imp.out).toContain('Qwen3-4B-Thinking-2507 guidellm c=1: guidellm');
    const ev = evaluate('gt.json', dir, 'rep', ['--latency-models', 'roofline-v1']);
    expect(ev.code).toBe(0);
    expect(ev.out.replace(/\s+/g, ' ')).toContain('closed loop ≤ 1 in flight');
    expect(ev.results.points.map((p) => p.status)).toEqual(['ok']);
  });
});
