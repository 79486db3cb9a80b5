import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runCli } from '../support/cli.ts';

const GT = resolve('test/fixtures/gt/knee-sweep.json');
const tmp = () => mkdtempSync(join(tmpdir(), 'eval-knee-'));

const cli = (...args: string[]) => runCli(args, tmp());

describe('the knee section and transferred MFU tables (end to end)', () => {
  it('reports the measured and predicted knee, and roofline-v2 on RTX4090 as transferred from H100', () => {
    const out = tmp();
    const r = cli('--ground-truth', GT, '--jobs', '1', '--out', out, '--quiet', '--mfu-transfer', 'on');
    expect(r.code).toBe(0);
    // Measured TTFT 100, 150, 1000 ms at 1, 4, 8 req/s: 4 + 4 * ln(300/150) / ln(1000/150) = 5.461471.
    const results = JSON.parse(readFileSync(join(out, 'results.json'), 'utf8'));
    const [knee] = results.knees.experiments;
    expect(knee.axis).toBe('rate');
    expect(knee.measured.knee.kind).toBe('at');
    expect(knee.measured.knee.load).toBeCloseTo(5.461471, 5);
    const v2 = knee.predicted.find((p: { latencyModel: string }) => p.latencyModel === 'roofline-v2');
    expect(v2.tablesFrom).toBe('H100');
    expect(v2.side.series.map((s: { load: number }) => s.load)).toEqual([1, 4, 8]);
    const v2points = results.points.filter((p: { latencyModel: string }) => p.latencyModel === 'roofline-v2');
    expect(
      v2points.every(
        (p: { status: string; tablesFrom: string }) => p.status === 'ok' && p.tablesFrom === 'H100',
      ),
    ).toBe(true);
    expect(results.options.mfuTransfer).toBe(true);

    expect(r.out).toContain('Where the server stops keeping up (knee)');
    expect(r.out).toMatch(/llama8b-rtx4090-sweep \(1\.00–8\.00 req\/s, 3 loads\): measured knee 5\.46/);
    expect(r.out).toMatch(/roofline-v2 \(transferred from H100\) +\S/);
    const md = readFileSync(join(out, 'summary.md'), 'utf8');
    expect(md).toContain('## Where the server stops keeping up (knee)');
    expect(md).toMatch(
      /\| llama8b-rtx4090-sweep \| 1\.00–8\.00 req\/s, 3 loads \| 5\.46 \(TTFT 100\.0 ms low\) \|/,
    );
    expect(md).toMatch(/\| roofline-v2 \(transferred from H100\) \| ttft_mean \|/);
    expect(md).toContain(
      'MFU tables transferred (no measured tables for the GPU; --mfu-transfer): roofline-v2 on RTX4090 from H100',
    );
    const html = readFileSync(join(out, 'index.html'), 'utf8');
    expect(html).toContain('<h2>Where the server stops keeping up (knee)</h2>');
    expect(html).toContain('<td>roofline-v2 (transferred from H100)</td>');
  });

  it('leaves roofline-v2 out on a GPU without tables when the transfer is off', () => {
    const out = tmp();
    const r = cli('--ground-truth', GT, '--jobs', '1', '--out', out, '--quiet', '--mfu-transfer', 'off');
    expect(r.code).toBe(0);
    const results = JSON.parse(readFileSync(join(out, 'results.json'), 'utf8'));
    const v2 = results.knees.experiments[0].predicted.find(
      (p: { latencyModel: string }) => p.latencyModel === 'roofline-v2',
    );
    expect(v2).toMatchObject({ side: null, reason: expect.stringMatching(/no MFU tables for GPU RTX4090/) });
    expect(r.out).not.toContain('transferred');
  });
});
