import { existsSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runCli } from '../support/cli.ts';

const FIX = resolve('test/fixtures/gt');
const tmp = () => mkdtempSync(join(tmpdir(), 'nightly-'));

/** Runs `blis-eval nightly …` in `cwd` with one worker thread, quiet. */
const nightly = (cwd: string, ...args: string[]) =>
  runCli(['nightly', '--jobs', '1', '--quiet', ...args], cwd);

const lines = (file: string) => readFileSync(file, 'utf8').trim().split('\n');
const withoutTime = (line: string) => {
  const { timestamp, report, ...rest } = JSON.parse(line);
  expect(timestamp).toMatch(/^\d{4}-\d\d-\d\dT[\d:.]+Z$/);
  expect(typeof report).toBe('string');
  return rest;
};

/** The shipped hardware config with H100's roofline-v1 mfuDecode halved. */
function worseHardware(dir: string): string {
  const hw = JSON.parse(readFileSync('hardware_config.blis-v0.6.1.json', 'utf8'));
  hw.H100.v1.mfuDecode /= 2;
  writeFileSync(join(dir, 'hw-worse.json'), JSON.stringify(hw, null, 2));
  return join(dir, 'hw-worse.json');
}

describe('blis-eval nightly (end to end)', () => {
  it('two runs on the same inputs: no regression, exit 0, records equal apart from the timestamp', () => {
    const dir = tmp();
    const gt = join(FIX, 'qps-sweep.json');
    const first = nightly(dir, '--ground-truth', gt, '--history', 'h', '--out', 'n1');
    expect(first.code).toBe(0);
    expect(first.out.split('\n')[0]).toBe('**PASS** no regression: first run, no baseline to compare with');
    const second = nightly(dir, '--ground-truth', gt, '--history', 'h', '--out', 'n2');
    expect(second.err).toBe(`report: n2\nhistory: ${join(dir, 'h', 'history.jsonl')}\n`);
    expect(second.code).toBe(0);
    expect(second.out.split('\n')[0]).toBe('**PASS** no regression');
    const [a, b] = lines(join(dir, 'h', 'history.jsonl'));
    expect(withoutTime(b!)).toEqual(withoutTime(a!));
    expect(a!.replace(/"timestamp":"[^"]+"/, '').replace('"report":"n1"', '')).toBe(
      b!.replace(/"timestamp":"[^"]+"/, '').replace('"report":"n2"', ''),
    );
    // The record names every input by hash and not being a checkout leaves the commit out.
    const rec = JSON.parse(a!);
    expect(rec.commit).toBeUndefined();
    expect(
      Object.values(rec.inputs).every((i) => /^[0-9a-f]{64}$/.test((i as { sha256: string }).sha256)),
    ).toBe(true);
    expect(rec.points).toHaveLength(8);
    for (const f of ['summary.md', 'index.html', 'record.json', 'eval/results.json', 'eval/index.html']) {
      expect(existsSync(join(dir, 'n2', f)), f).toBe(true);
    }
    expect(readFileSync(join(dir, 'n2', 'summary.md'), 'utf8')).toBe(second.out);
    const html = readFileSync(join(dir, 'n2', 'index.html'), 'utf8');
    expect(html).toContain('<svg');
    expect(html).toContain('href="eval/index.html"');
  });

  it('a worse hardware config (H100 v1 mfuDecode halved): the regression is named, exit 1', () => {
    const dir = tmp();
    // At qps 5/10 the fixture's decode steps are memory-bound, so mfuDecode cannot matter; at
    // qps 40/80 the batches are large enough for decode to be compute-bound.
    const gt = JSON.parse(readFileSync(join(FIX, 'qps-sweep.json'), 'utf8'));
    gt.experiments[0].qps_sweeps[0].qps = 40;
    gt.experiments[0].qps_sweeps[1].qps = 80;
    gt.experiments[0].workload_config.max_requests = 200;
    writeFileSync(join(dir, 'gt.json'), JSON.stringify(gt));
    const blis = resolve('hardware_config.blis-v0.6.1.json');
    const good = ['--out', 'good', '--hardware-config', blis];
    expect(nightly(dir, '--ground-truth', 'gt.json', '--history', 'h', ...good).code).toBe(0);
    const r = nightly(
      dir,
      '--ground-truth',
      'gt.json',
      '--history',
      'h',
      '--out',
      'worse',
      '--hardware-config',
      worseHardware(dir),
    );
    expect(r.code).toBe(1);
    const verdict = r.out.split('\n')[0]!;
    expect(verdict).toMatch(/^\*\*REGRESSION\*\* 5 metric\(s\) worse than the baseline/);
    for (const m of ['ttft_mean', 'ttft_p90', 'itl_mean', 'e2e_mean'])
      expect(verdict).toContain(`roofline-v1 ${m} +`);
    expect(verdict).not.toMatch(/blackbox|roofline-v2/);
    expect(r.out).toContain('Changed inputs since: hardware config.');
    // A change of nothing is written 0.0, not ±0.0 (which reads as an uncertainty).
    expect(r.out).not.toContain('±');
    expect(r.out).toMatch(
      /\| itl_mean \| [\d.]+% \(0\.0\) \| \*\*[\d.]+% \(\+[\d.]+\)\*\* \| [\d.]+% \(0\.0\) \|/,
    );
    expect(readFileSync(join(dir, 'worse', 'summary.md'), 'utf8')).toBe(r.out);
    expect(readFileSync(join(dir, 'worse', 'index.html'), 'utf8')).toMatch(
      /<tr class="regression"><td>roofline-v1</,
    );
    expect(lines(join(dir, 'h', 'history.jsonl'))).toHaveLength(2);
    expect(JSON.parse(lines(join(dir, 'h', 'history.jsonl'))[1]!).passed).toBe(false);
    // The next night compares with the last record that passed, so the regression is caught again.
    const worse = ['--ground-truth', 'gt.json', '--history', 'h', '--hardware-config', worseHardware(dir)];
    const again = nightly(dir, ...worse, '--out', 'again');
    expect(again.code).toBe(1);
    expect(again.out).toMatch(
      /Baseline: last history record that passed \(1 later record\(s\) failed the gate/,
    );
    // Accepted: tonight becomes the baseline, and the night after passes.
    const accepted = nightly(dir, ...worse, '--out', 'accepted', '--accept-baseline');
    expect(accepted.code).toBe(0);
    expect(accepted.err).toContain('regression accepted (--accept-baseline)');
    expect(JSON.parse(lines(join(dir, 'h', 'history.jsonl'))[3]!)).toMatchObject({
      passed: true,
      accepted: true,
    });
    expect(nightly(dir, ...worse, '--out', 'after').code).toBe(0);
  });

  it('a corrupted history is kept aside untouched, a new one started with a warning, exit 0', () => {
    const dir = tmp();
    const damaged = '{"schema":1,"timestamp":"2025-01-01T00:00:00.000Z"}\nnot json at all\n';
    writeFileSync(join(dir, 'history.jsonl'), damaged);
    const r = nightly(dir, '--ground-truth', join(FIX, 'qps-sweep.json'), '--history', '.');
    expect(r.code).toBe(0);
    expect(r.err).toMatch(/^warning: history corrupted at line 1: not a history record: /);
    expect(r.err).toMatch(
      /warning: kept it aside as .*history\.jsonl\.corrupt-\d{8}T\d{6}Z \(not modified\); started a new history\n/,
    );
    const aside = readdirSync(dir).filter((f) => f.startsWith('history.jsonl.corrupt-'));
    expect(aside).toHaveLength(1);
    expect(readFileSync(join(dir, aside[0]!), 'utf8')).toBe(damaged);
    expect(lines(join(dir, 'history.jsonl'))).toHaveLength(1);
    expect(r.out).toMatch(/^\*\*PASS\*\* no regression: first run/);
    expect(r.out).toContain('Warning: the history was corrupted (line 1');
    // Without --out the report goes to reports/nightly/<UTC date of the run>.
    const date = JSON.parse(lines(join(dir, 'history.jsonl'))[0]!).timestamp.slice(0, 10);
    expect(readFileSync(join(dir, 'reports', 'nightly', date, 'summary.md'), 'utf8')).toBe(r.out);
  });

  it('bad input exits 2 before simulating: --max-regression, --baseline, --history', () => {
    const dir = tmp();
    const gt = join(FIX, 'qps-sweep.json');
    writeFileSync(join(dir, 'file'), '');
    writeFileSync(join(dir, 'bad.json'), '{"runId": "x"}');
    for (const [args, msg] of [
      [['--max-regression', '-1'], /--max-regression must be a number/],
      [['--max-regression', 'lots'], /--max-regression must be a number/],
      [['--baseline', 'missing.json'], /--baseline missing\.json: not found/],
      [['--baseline', 'bad.json'], /not an evaluator results\.json/],
      [['--history', 'file'], /not a folder/],
    ] as const) {
      const r = nightly(dir, '--ground-truth', gt, ...args);
      expect(r.code, args.join(' ')).toBe(2);
      expect(r.err).toMatch(msg);
    }
    expect(readdirSync(dir).sort()).toEqual(['bad.json', 'file']);
  });
});
