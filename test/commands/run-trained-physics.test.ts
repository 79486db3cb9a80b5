import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runCli } from '../support/cli.ts';
import { SINGLE_REQUEST_RUN } from '../support/trained-physics.ts';

const single = SINGLE_REQUEST_RUN;

describe('blis-eval run --latency-model trained-physics', () => {
  it("BLIS v0.7.1's single-request check: TTFT 23.573, E2E 45.105, scheduling delay 15.563 ms", () => {
    const results = join(mkdtempSync(join(tmpdir(), 'tp-')), 'r.json');
    const r = runCli([...single, '--results-path', results]);
    expect(r.code, r.err).toBe(0);
    const m = JSON.parse(r.out);
    expect([m.ttft_mean_ms, m.e2e_mean_ms, m.scheduling_delay_p99_ms]).toEqual([23.573, 45.105, 15.563]);
    // Three decode steps (6873, 6873, 6874 µs) + α2 45 each; no completion entry.
    expect(m.itl_mean_ms).toBeCloseTo((6918 + 6918 + 6919) / 3 / 1000, 12);
    expect(m.itl_p99_ms).toBeLessThanOrEqual(6.919);
    const req = JSON.parse(readFileSync(results, 'utf8')).requests[0];
    expect(req).toMatchObject({ ttft_ms: 23.573, e2e_ms: 45.105, scheduling_delay_ms: 15.563 });
  });

  it('--beta-coeffs / --alpha-coeffs override the hardware config set, in BLIS slot order', () => {
    // β7 (slot 6) +1000 µs on each of the 4 steps; α0 0, α1 0, α2 0.
    const beta = '0.152128,0,1.36252915,0.752037,32.09546717,4.41684444,1126.024825,481.8613888,0,1.94710771';
    const r = runCli([...single, '--beta-coeffs', beta, '--alpha-coeffs', '0,0,0']);
    expect(r.code, r.err).toBe(0);
    const m = JSON.parse(r.out);
    expect(m.ttft_mean_ms).toBe(8.965);
    expect(m.e2e_mean_ms).toBe((8965 + 7873 + 7873 + 7874) / 1000);
    expect(m.scheduling_delay_p99_ms).toBe(0);
  });

  it('bad coefficients exit 2 naming the slot', () => {
    const r = runCli([...single, '--beta-coeffs', '1,2,3,4,5,6,-7']);
    expect(r.code).toBe(2);
    expect(r.err).toContain('beta[6]');
  });
});
