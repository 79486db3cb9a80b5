import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runCli } from '../support/cli.ts';

const tmp = () => mkdtempSync(join(tmpdir(), 'gpu-names-cli-'));

/** The qps-sweep fixture (llama-3.1-8b TP 1) on another GPU, written to dir/gt.json. */
function onGpu(dir: string, hardware: string): string {
  const gt = JSON.parse(readFileSync(resolve('test/fixtures/gt/qps-sweep.json'), 'utf8'));
  gt.experiments[0].hardware = hardware;
  writeFileSync(join(dir, 'gt.json'), JSON.stringify(gt));
  return join(dir, 'gt.json');
}

describe('GPU names in ground truth (end to end)', () => {
  it('the nvidia-smi name of the 80 GB A100 is the hardware config entry and the A100-80 coefficient rows', () => {
    const dir = tmp();
    const r = runCli(
      ['validate', onGpu(dir, 'NVIDIA A100-SXM4-80GB'), '--latency-models', 'blackbox,roofline-v1'],
      dir,
    );
    expect(r.code, r.err).toBe(0);
    expect(r.out).toMatch(/on A100-80GB TP 1/);
    expect(r.out).toMatch(/ {4}blackbox: applies/);
    expect(r.out).toMatch(/ {4}roofline-v1: applies/);
  });

  it('a bare A100 is refused (exit 2) by validate and the main job, naming the field and the candidates', () => {
    const dir = tmp();
    const gt = onGpu(dir, 'A100');
    for (const args of [
      ['validate', gt],
      ['--ground-truth', gt, '--quiet', '--out', 'r'],
    ]) {
      const r = runCli(args, dir);
      expect(r.code, args[0]).toBe(2);
      expect(r.err).toContain(
        `experiments[0] "llama8b-tp1-chat", field 'hardware': GPU 'A100' is ambiguous: name one of A100-40GB, A100-80GB`,
      );
    }
    expect(existsSync(join(dir, 'r'))).toBe(false);
  });

  it('run: a bare A100 is refused naming the candidates; A100-80GB finds the A100-80 coefficient row', () => {
    const run = ['run', '--model', 'meta-llama/llama-3.1-8b-instruct', '--tp', '1', '--num-requests', '5'];
    const ambiguous = runCli([...run, '--hardware', 'A100']);
    expect(ambiguous.code).toBe(2);
    expect(ambiguous.err).toContain("GPU 'A100' is ambiguous: name one of A100-40GB, A100-80GB");
    const named = runCli([...run, '--hardware', 'A100-80GB']);
    expect(named.code, named.err).toBe(0);
    expect(named.err).toContain('coefficient row meta-llama/llama-3.1-8b-instruct on A100-80, TP 1');
  });
});
