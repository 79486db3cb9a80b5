import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parseExternalLayout } from '../../src/mfu/layouts.ts';
import { SHARED } from '../support/shared.ts';

const blis = `${SHARED}/data/bench_data_reference/blis_h100`;
const file = (path: string, from: string) => ({ path, text: readFileSync(`${blis}/${from}`, 'utf8') });

describe('parseExternalLayout', () => {
  it('checks decode shapes as it checks prefill shapes', () => {
    const gemm = file('gemm/data.csv', 'gemm/h100/data.csv');
    const decode = 'mha/decode/h100/40-40-128-tp1.csv';
    const ok = parseExternalLayout([gemm, file('mha/decode/40-40-128-tp1.csv', decode)], 'h100', 'blis');
    expect([...ok.data.decode.keys()]).toEqual(['40-40-128']);
    expect(() =>
      parseExternalLayout([gemm, file('mha/decode/0-40-128-tp1.csv', decode)], 'h100', 'blis'),
    ).toThrow(/attention shape '0-40-128' is not <heads>-<kv_heads>-<head_dim>/);
  });
});
