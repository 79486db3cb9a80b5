import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { BIN, runCli } from '../support/cli.ts';

const FIX = resolve('test/fixtures/gt');
const tmp = () => mkdtempSync(join(tmpdir(), 'bad-input-'));

const cli = (cwd: string, ...args: string[]) => runCli(args, cwd);

/** The shipped hardware config with one change, written to dir/hw.json. */
function hardware(dir: string, edit: (hw: Record<string, Record<string, Record<string, unknown>>>) => void) {
  const hw = JSON.parse(readFileSync('hardware_config.json', 'utf8'));
  edit(hw);
  writeFileSync(join(dir, 'hw.json'), JSON.stringify(hw));
  return join(dir, 'hw.json');
}

/** The qps-sweep fixture with one change to its experiment, written to dir/gt.json. */
interface RawExperiment {
  hardware?: string;
  model: string;
  qps_sweeps: Record<string, unknown>[];
  workload_config: { data: Record<string, unknown> };
}

function groundTruth(dir: string, edit: (x: RawExperiment) => void) {
  const gt = JSON.parse(readFileSync(join(FIX, 'qps-sweep.json'), 'utf8'));
  edit(gt.experiments[0]);
  writeFileSync(join(dir, 'gt.json'), JSON.stringify(gt));
  return join(dir, 'gt.json');
}

/** `run` with roofline-v1 on H100 TP 1 and the given hardware config. */
const runV1 = (dir: string, hw: string) =>
  cli(
    dir,
    'run',
    '--model',
    'meta-llama/Llama-3.1-8B-Instruct',
    '--hardware',
    'H100',
    '--tp',
    '1',
    '--latency-model',
    'roofline-v1',
    '--hardware-config',
    hw,
    '--num-requests',
    '5',
  );

describe('config files are validated where they load: exit 2 naming file and field, nothing written', () => {
  const noPeak = (hw: Record<string, Record<string, unknown>>) => {
    delete hw.H100!.TFlopsPeak;
  };

  it('main job, tune and run refuse a hardware config without TFlopsPeak', () => {
    const dir = tmp();
    const hw = hardware(dir, noPeak);
    const gt = join(FIX, 'qps-sweep.json');
    const main = cli(dir, '--ground-truth', gt, '--hardware-config', hw, '--out', 'r', '--quiet');
    expect(main.code).toBe(2);
    expect(main.err).toMatch(/hw\.json: GPU 'H100' \(v1\): missing field 'TFlopsPeak'/);
    expect(existsSync(join(dir, 'r'))).toBe(false);
    const before = readFileSync(hw, 'utf8');
    const tune = cli(
      dir,
      'tune',
      '--latency-model',
      'roofline-v1',
      '--hardware',
      'H100',
      '--ground-truth',
      gt,
      '--hardware-config',
      hw,
      '--quiet',
    );
    expect(tune.code).toBe(2);
    expect(tune.err).toMatch(/hw\.json: GPU 'H100' \(v1\): missing field 'TFlopsPeak'/);
    expect(readFileSync(hw, 'utf8')).toBe(before);
    const run = runV1(dir, hw);
    expect(run.code).toBe(2);
    expect(run.err).toMatch(/missing field 'TFlopsPeak'/);
  });

  it('tune refuses --polish without partial replays, and a negative one, naming the flag', () => {
    const dir = tmp();
    const args = ['tune', '--latency-model', 'roofline-v1', '--hardware', 'H100', '--dry-run', '--quiet'];
    const gt = ['--ground-truth', join(FIX, 'staged.json')];
    const without = cli(dir, ...args, ...gt, '--polish', '5', '--fidelity', '1');
    expect(without.code).toBe(2);
    expect(without.err).toMatch(/--polish 5: needs --fidelity below 1/);
    const negative = cli(dir, ...args, ...gt, '--polish', '-1', '--fidelity', '0.5');
    expect(negative.code).toBe(2);
    expect(negative.err).toMatch(/--polish must be an integer >= 0, got '-1'/);
    expect(existsSync(join(dir, 'reports'))).toBe(false);
  });

  it('nightly exits 2 and leaves the history untouched', () => {
    const dir = tmp();
    const gt = join(FIX, 'qps-sweep.json');
    const args = [
      'nightly',
      '--jobs',
      '1',
      '--quiet',
      '--ground-truth',
      gt,
      '--history',
      'h',
      '--latency-models',
      'blackbox',
    ];
    expect(cli(dir, ...args, '--out', 'n1').code).toBe(0);
    const before = readFileSync(join(dir, 'h', 'history.jsonl'), 'utf8');
    const r = cli(dir, ...args, '--out', 'n2', '--hardware-config', hardware(dir, noPeak));
    expect(r.code).toBe(2);
    expect(r.err).toMatch(/hw\.json: GPU 'H100' \(v1\): missing field 'TFlopsPeak'/);
    expect(readFileSync(join(dir, 'h', 'history.jsonl'), 'utf8')).toBe(before);
    expect(existsSync(join(dir, 'n2'))).toBe(false);
  });

  it('a v1 field missing is bad input when roofline-v1 runs, and not when only v2 does', () => {
    const dir = tmp();
    const hw = hardware(dir, (h) => {
      delete h.H100!.v1!.BwEffConstant;
    });
    const gt = join(FIX, 'qps-sweep.json');
    const v1 = cli(dir, '--ground-truth', gt, '--hardware-config', hw, '--quiet', '--out', 'r');
    expect(v1.code).toBe(2);
    expect(v1.err).toMatch(/hw\.json: GPU 'H100' \(v1\): missing field 'BwEffConstant'/);
    expect(existsSync(join(dir, 'r'))).toBe(false);
    const v2 = cli(dir, 'validate', gt, '--hardware-config', hw, '--latency-models', 'roofline-v2');
    expect(v2.code).toBe(0);
  });

  it('mfuDecode 0 is bad input (the schema and the model agree), for the main job and run', () => {
    const dir = tmp();
    const hw = hardware(dir, (h) => {
      h.H100!.v1!.mfuDecode = 0;
    });
    const main = cli(dir, '--ground-truth', join(FIX, 'qps-sweep.json'), '--hardware-config', hw, '--quiet');
    expect(main.code).toBe(2);
    expect(main.err).toMatch(/hw\.json: GPU 'H100', field 'v1\.mfuDecode'/);
    const run = runV1(dir, hw);
    expect(run.code).toBe(2);
    expect(run.err).toMatch(/mfuDecode/);
  });
});

describe('ground truth that nothing can evaluate is bad input', () => {
  it('an unknown GPU: validate and the main job exit 2 naming the experiment and the GPU', () => {
    const dir = tmp();
    const gt = groundTruth(dir, (x) => {
      x.hardware = 'B300';
    });
    for (const args of [
      ['validate', gt],
      ['--ground-truth', gt, '--quiet', '--out', 'r'],
    ]) {
      const r = cli(dir, ...args);
      expect(r.code, args[0]).toBe(2);
      expect(r.err).toMatch(
        /gt\.json: experiments\[0\] "llama8b-tp1-chat": unknown GPU 'B300': not in .*hardware_config\.json \(known: H100/,
      );
    }
    expect(existsSync(join(dir, 'r'))).toBe(false);
  });

  it('an unknown model: exit 2 naming where it looked', () => {
    const dir = tmp();
    const gt = groundTruth(dir, (x) => {
      x.model = 'foo/bar-13b';
    });
    const r = cli(dir, 'validate', gt);
    expect(r.code).toBe(2);
    expect(r.err).toMatch(
      /unknown model 'foo\/bar-13b': no model config under .*model_configs and no coefficient row in .*defaults\.yaml/,
    );
  });

  it('a measured latency of 0 is an input error naming the field', () => {
    const dir = tmp();
    const gt = groundTruth(dir, (x) => {
      x.qps_sweeps[0]!.ttft_mean_ms = 0;
    });
    const r = cli(dir, 'validate', gt);
    expect(r.code).toBe(2);
    expect(r.err).toMatch(/qps_sweeps\.0\.ttft_mean_ms|qps_sweeps\[0\]\.ttft_mean_ms/);
    expect(r.err).toMatch(/must be > 0/);
  });

  it('accepts a constant-length workload (stdev 0, min = max)', () => {
    const dir = tmp();
    const gt = groundTruth(dir, (x) => {
      Object.assign(x.workload_config.data, {
        prompt_tokens: 128,
        prompt_tokens_stdev: 0,
        prompt_tokens_min: 128,
        prompt_tokens_max: 128,
        output_tokens: 64,
        output_tokens_stdev: 0,
        output_tokens_min: 64,
        output_tokens_max: 64,
      });
    });
    const r = cli(
      dir,
      '--ground-truth',
      gt,
      '--quiet',
      '--jobs',
      '1',
      '--latency-models',
      'roofline-v1',
      '--out',
      'r',
    );
    expect(r.err).toBe('report: r\n');
    expect(r.code).toBe(0);
  });
});

describe('blis-eval validate (pre-flight)', () => {
  it('says per experiment which latency models apply and why not', () => {
    const r = cli(tmp(), 'validate', join(FIX, 'staged.json'), '--bench-data-path', tmp());
    expect(r.code).toBe(0);
    expect(r.out).toMatch(
      /experiments each latency model runs: blackbox \d\/\d, roofline-v1 \d\/\d, roofline-v2 0\/\d/,
    );
    expect(r.out).toMatch(/ {4}roofline-v1: applies/);
    expect(r.out).toMatch(/ {4}roofline-v2: n\.a\.: no MFU tables for GPU H100/);
  });
});

describe('stop signals', () => {
  for (const sig of ['SIGTERM', 'SIGHUP'] as const) {
    it(`${sig} stops the main job cleanly: what finished is written, marked incomplete, exit 130`, async () => {
      const dir = tmp();
      const child = spawn(
        process.execPath,
        [BIN, '--ground-truth', join(FIX, 'staged.json'), '--jobs', '1', '--seeds', '20', '--out', 'r'],
        { cwd: dir },
      );
      let err = '';
      child.stderr.on('data', (d) => {
        err += String(d);
        // The first progress line means the workers run: stop now.
        if (/simulating: /.test(err) && !child.killed) child.kill(sig);
      });
      const code = await new Promise<number | null>((res) => child.on('close', res));
      expect(err).toContain(`interrupted (${sig})`);
      expect(code).toBe(130);
      const results = JSON.parse(readFileSync(join(dir, 'r', 'results.json'), 'utf8'));
      expect(results.complete).toBe(false);
    }, 60_000);
  }
});
