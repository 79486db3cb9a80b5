import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { loadDefaults } from '../../src/config/coefficients.ts';
import { defaultsExport } from '../../src/export/defaults.ts';
import { renderDefaultsFile } from '../../src/export/render-defaults.ts';
import { defaultsWithRow } from '../../src/tune/writeback.ts';

const BLIS_ROW_KEYS = [
  'id',
  'GPU',
  'tensor_parallelism',
  'vllm_version',
  'alpha_coeffs',
  'beta_coeffs',
  'total_kv_blocks',
  'best_loss',
];

/** Writes `text` to a fresh file and loads it with the coefficient-table loader. */
function reload(text: string) {
  const path = join(mkdtempSync(join(tmpdir(), 'export-defaults-')), 'defaults.yaml');
  writeFileSync(path, text);
  return loadDefaults(path);
}

describe('export --for blis-defaults', () => {
  it('the shipped table comes out row for row, in order, with full-precision coefficients', () => {
    const shipped = loadDefaults('defaults.yaml');
    const x = defaultsExport(shipped);
    const text = renderDefaultsFile(x, 'header');
    expect(reload(text)).toEqual(shipped);
    expect(text.startsWith('# header\n')).toBe(true);
    // BLIS writes coefficient arrays in flow style.
    expect(text).toContain('alpha_coeffs: [232.46191091038054, 1.752360364195244, 3357.4400353290152]');
    expect(x.lost).toEqual([]);
    expect(x.notes.some((n) => /24 row\(s\) repeat an earlier key/.test(n))).toBe(true);
  });

  it("a fitted row's provenance becomes a comment; only BLIS's keys remain (its parser is strict)", () => {
    const text = defaultsWithRow(
      `version: "0.0.1"\ndefaults: {}\nworkloads: {}\nmodels: []\n`,
      'start.yaml',
      {
        id: 'org/model-a',
        GPU: 'H100',
        tensor_parallelism: 2,
        vllm_version: 'v0.9.0',
        alpha_coeffs: [100, 1.5, 2000],
        beta_coeffs: [3000, 10.25, 4],
        total_kv_blocks: 50000,
        provenance: 'blis-eval tune 2026-01-01, left-out E2E 7.1 %',
      },
    );
    const out = renderDefaultsFile(defaultsExport(reload(text)), 'header');
    expect(out).toContain('# blis-eval tune 2026-01-01, left-out E2E 7.1 %\n  - id: org/model-a');
    const rows = parse(out).models as Record<string, unknown>[];
    expect(Object.keys(rows[0]!)).toEqual(BLIS_ROW_KEYS.filter((k) => k !== 'best_loss'));
    expect(rows[0]).toMatchObject({ alpha_coeffs: [100, 1.5, 2000], beta_coeffs: [3000, 10.25, 4] });
  });
});
