import { existsSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runCli } from '../support/cli.ts';
import { sharedJson } from '../support/shared.ts';
import { SINGLE_REQUEST_RUN } from '../support/trained-physics.ts';

// End to end through the real CLI (each spawn costs about a second, so the cases are few).
interface BinaryCase {
  flags: string[];
  stdout_metrics: Record<string, number | string>;
}
const binary = sharedJson<{ cases: BinaryCase[] }>('data/blis/golden_v0.6.1_binary_outputs.json').cases;
const FIXTURE_GT = 'test/fixtures/gt/qps-sweep.json';

/** A golden case's flags without some of them (by name, each with its value). */
function flagsWithout(c: BinaryCase, drop: readonly string[]): string[] {
  const out: string[] = [];
  for (let i = 0; i < c.flags.length; i += 2) {
    if (!drop.includes(c.flags[i]!)) out.push(c.flags[i]!, c.flags[i + 1]!);
  }
  return out;
}

/** `run`'s stdout without our `latency` block (it names the files that ran), as text. */
function metricsText(out: string): string {
  const { latency: _, ...rest } = JSON.parse(out);
  return JSON.stringify(rest);
}

const scratch = () => mkdtempSync(join(tmpdir(), 'export-'));

describe('blis-eval export --for blis-v0.6.1-roofline (round trip through run)', () => {
  // Golden case 0's workload, 60 requests, on one H100 at the TP a test gives.
  const drop = ['--alpha-coeffs', '--beta-coeffs', '--num-requests', '--tp'];
  const workload = [...flagsWithout(binary[0]!, drop), '--num-requests', '60'];

  it.each(['roofline-v1', 'roofline-v2'])(
    "%s: run with the export of BLIS v0.6.1's values gives the same output as with its file",
    (kind) => {
      const out = join(scratch(), 'hw.json');
      const x = runCli([
        'export',
        '--for',
        'blis-v0.6.1-roofline',
        '--latency-model',
        kind,
        '--hardware-config',
        'hardware_config.blis-v0.6.1.json',
        '--no-measure',
        '--out',
        out,
      ]);
      expect(x.code, x.err).toBe(0);
      expect(x.out).toBe('');
      const run = (hw: string) =>
        runCli(['run', ...workload, '--tp', '1', '--latency-model', kind, '--hardware-config', hw]);
      const [a, b] = [run('hardware_config.blis-v0.6.1.json'), run(out)];
      expect(b.code, b.err).toBe(0);
      expect(metricsText(b.out)).toBe(metricsText(a.out));
      expect(JSON.parse(b.out).completed_requests).toBe(60);
    },
  );

  it('the shipped calibration: export + the carried flag = our model with its fields of ours neutral', () => {
    const dir = scratch();
    const x = runCli(['export', '--for', 'blis-v0.6.1-roofline', '--no-measure']);
    expect(x.code, x.err).toBe(0);
    writeFileSync(join(dir, 'exported.json'), x.out);
    const alpha = /requestOverheadMicros: --alpha-coeffs (\S+) \(all \d+ GPUs\)/.exec(x.err)?.[1];
    expect(alpha, x.err).toBeDefined();
    // The neutral values written out, not removed: what BLIS computes, by our own reading.
    const shipped = JSON.parse(readFileSync('hardware_config.json', 'utf8'));
    const neutral = {
      TFlopsFP8: 0,
      gemmMfuScale: 1,
      ttftDecodeSteps: 0,
      allReduceMicros: 0,
      allReduceLinkScale: 0,
    };
    for (const [k, e] of Object.entries<Record<string, unknown>>(shipped)) {
      if (k !== 'defaults') e.v2 = { ...(e.v2 as object), ...neutral };
    }
    writeFileSync(join(dir, 'neutral.json'), JSON.stringify(shipped));
    // TP 2, so that TP's all-reduce latency counts.
    const run = (hw: string, ...more: string[]) =>
      runCli([
        'run',
        ...workload,
        '--tp',
        '2',
        '--latency-model',
        'roofline-v2',
        '--hardware-config',
        hw,
        ...more,
      ]);
    const exported = run(join(dir, 'exported.json'), '--alpha-coeffs', alpha!);
    const ours = run(join(dir, 'neutral.json'));
    const full = run('hardware_config.json');
    expect(exported.code, exported.err).toBe(0);
    expect(metricsText(exported.out)).toBe(metricsText(ours.out));
    expect(metricsText(full.out)).not.toBe(metricsText(ours.out));
  });
});

describe('blis-eval export: accuracy of the exported subset, files and refusals', () => {
  it('measures both models with the evaluator, writes --out, refuses to overwrite without --force', () => {
    const dir = scratch();
    const out = join(dir, 'hw.json');
    const args = [
      'export',
      '--for',
      'blis-v0.6.1-roofline',
      '--ground-truth',
      FIXTURE_GT,
      '--jobs',
      '1',
      '--quiet',
    ];
    const x = runCli([...args, '--out', out]);
    expect(x.code, x.err).toBe(0);
    expect(x.err).toContain(`accuracy on ${FIXTURE_GT} (roofline-v2; MAPE`);
    const row = (label: string) =>
      new RegExp(`^  ${label} +(\\d+) +(\\S+%) +(\\S+%) +(\\S+%)$`, 'm').exec(x.err);
    const [full, exported] = [row('full'), row('exported')];
    expect(full, x.err).not.toBeNull();
    expect(exported, x.err).not.toBeNull();
    // The full row is the evaluator's own figure (E2E, TTFT, ITL MAPE), and the subset's differs.
    const evalRun = runCli([
      '--ground-truth',
      FIXTURE_GT,
      '--latency-models',
      'roofline-v2',
      '--jobs',
      '1',
      '--quiet',
      '--format',
      'json',
      '--out',
      join(dir, 'report'),
    ]);
    expect(evalRun.code, evalRun.err).toBe(0);
    const mape = (metric: string) =>
      `${JSON.parse(evalRun.out)
        .stats.models[0].metrics.find((m: { metric: string }) => m.metric === metric)
        .mape.toFixed(1)}%`;
    expect(full!.slice(2)).toEqual([mape('e2e_mean'), mape('ttft_mean'), mape('itl_mean')]);
    expect(exported!.slice(2)).not.toEqual(full!.slice(2));
    expect(JSON.parse(readFileSync(out, 'utf8')).H100.bwEfficiencyFactor).toBeGreaterThan(0);

    const again = runCli([...args, '--out', out, '--no-measure']);
    expect(again.code).toBe(2);
    expect(again.err).toContain(`${out}: exists; --force replaces it`);
    const forced = runCli([
      ...args,
      '--out',
      out,
      '--no-measure',
      '--force',
      '--latency-model',
      'roofline-v1',
    ]);
    expect(forced.code, forced.err).toBe(0);
    expect(JSON.parse(readFileSync(out, 'utf8')).H100.mfuDecode).toBeGreaterThan(0);
    expect(readdirSync(dir).filter((f) => f.startsWith('hw.json.bak-'))).toHaveLength(1);
  });

  it('blis-defaults: the exported table gives the v0.6.1 binary’s golden outputs through its lookup', () => {
    const dir = scratch();
    const table = join(dir, 'defaults.yaml');
    const x = runCli([
      'export',
      '--for',
      'blis-defaults',
      '--ground-truth',
      FIXTURE_GT,
      '--jobs',
      '1',
      '--out',
      table,
    ]);
    expect(x.code, x.err).toBe(0);
    expect(x.err).toContain('left out: nothing');
    expect(x.err).toContain('exported = full: the export carries the whole model');
    for (const k of [0, 2, 3, 4]) {
      const c = binary[k]!;
      // No coefficients given: BLIS's default path finds the row by model, GPU and TP.
      const r = runCli([
        'run',
        ...flagsWithout(c, ['--alpha-coeffs', '--beta-coeffs']),
        '--defaults-filepath',
        table,
      ]);
      expect(r.code, r.err).toBe(0);
      const m = JSON.parse(r.out);
      for (const [field, want] of Object.entries(c.stdout_metrics)) {
        // The reference's percentiles differ from the golden file by 1 ulp (see golden.test.ts).
        if (typeof want === 'number' && !Number.isInteger(want)) {
          expect(Math.abs(m[field] - want) / Math.abs(want), `case ${k} ${field}`).toBeLessThanOrEqual(1e-12);
        } else expect(m[field], `case ${k} ${field}`).toBe(want);
      }
    }
  });

  it("blis-trained-physics: the exported flags reproduce BLIS v0.7.1's single-request check", () => {
    const x = runCli(['export', '--for', 'blis-trained-physics', '--no-measure']);
    expect(x.code, x.err).toBe(0);
    const flags = /^# {3}(--alpha-coeffs \S+ --beta-coeffs \S+)$/m.exec(x.out)?.[1]?.split(' ');
    expect(flags, x.out).toBeDefined();
    const r = runCli([...SINGLE_REQUEST_RUN, ...flags!]);
    expect(r.code, r.err).toBe(0);
    const m = JSON.parse(r.out);
    expect([m.ttft_mean_ms, m.e2e_mean_ms, m.scheduling_delay_p99_ms]).toEqual([23.573, 45.105, 15.563]);
  });

  it('bad input exits 2 naming the file and field, and writes nothing', () => {
    const dir = scratch();
    const broken = join(dir, 'hw.json');
    writeFileSync(broken, JSON.stringify({ G: { TFlopsPeak: 1, BwPeakTBs: 1, v1: { mfuPrefill: 0.5 } } }));
    const out = join(dir, 'out.json');
    const args = ['export', '--for', 'blis-v0.6.1-roofline', '--no-measure', '--out', out];
    const r = runCli([...args, '--latency-model', 'roofline-v1', '--hardware-config', broken]);
    expect(r.code).toBe(2);
    expect(r.err).toMatch(/hw\.json: GPU 'G' \(v1\): missing field 'BwEffConstant'/);
    const bad = runCli([...args, '--hardware-config', join(dir, 'none.json')]);
    expect(bad.code).toBe(2);
    expect(bad.err).toContain('none.json');
    expect(runCli(['export', '--for', 'blis-v9']).code).toBe(2);
    const wrong = runCli(['export', '--for', 'blis-defaults', '--latency-model', 'roofline-v1']);
    expect(wrong.code).toBe(2);
    expect(wrong.err).toContain('--latency-model applies to --for blis-v0.6.1-roofline only');
    expect(existsSync(out)).toBe(false);
  });
});
