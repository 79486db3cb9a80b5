import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { findEntry, hasBenchData } from '../../src/config/bench-data.ts';
import { findCoefficientsAnyVersion, loadDefaults } from '../../src/config/coefficients.ts';
import { canonicalGpuName, KNOWN_GPUS, resolveGpuName, sameGpu } from '../../src/config/gpu-names.ts';
import {
  findGpu,
  loadHardwareConfig,
  lookupGpu,
  parseHardwareConfig,
} from '../../src/config/hardware-config.ts';
import { PROJECT_GEMM } from '../../src/mfu/layouts.ts';
import { sharedJson } from '../support/shared.ts';

describe('the GPU alias table', () => {
  it.each([
    ['H100-80GB', 'H100'],
    ['NVIDIA H100 80GB HBM3', 'H100'],
    ['h100_sxm5', 'H100'],
    ['A100-80', 'A100-80GB'],
    ['A100-SXM', 'A100-80GB'],
    ['NVIDIA A100-SXM4-80GB', 'A100-80GB'],
    ['a100-sxm4-40gb', 'A100-40GB'],
    ['NVIDIA L40S', 'L40S'],
    ['NVIDIA GeForce RTX 4090', 'RTX4090'],
    ['H200 SXM 141GB', 'H200'],
  ])('%s is %s', (name, canonical) => {
    expect(resolveGpuName(name)).toEqual({ kind: 'known', canonical });
    expect(canonicalGpuName(name)).toBe(canonical);
    expect(sameGpu(name, canonical)).toBe(true);
  });

  it('a bare A100 is ambiguous (40 or 80 GB); other GPUs and unknown names are not the same GPU', () => {
    expect(resolveGpuName('A100')).toEqual({ kind: 'ambiguous', candidates: ['A100-40GB', 'A100-80GB'] });
    expect(canonicalGpuName('A100')).toBe('A100');
    expect(sameGpu('A100', 'A100-80GB')).toBe(false);
    expect(sameGpu('A100-40GB', 'A100-80GB')).toBe(false);
    expect(sameGpu('H100 PCIe', 'H100')).toBe(false);
    expect(resolveGpuName('MI300X')).toEqual({ kind: 'unknown' });
    expect(sameGpu('mi-300x', 'MI300X')).toBe(true);
  });

  it('every GPU of the hardware facts is in the table under its facts key and product name', () => {
    const facts = sharedJson<{ gpus: Record<string, { name: string }> }>('data/hardware_facts.json');
    for (const [key, g] of Object.entries(facts.gpus)) {
      expect(KNOWN_GPUS).toContain(key);
      expect(canonicalGpuName(g.name)).toBe(key);
    }
  });

  it('the shipped hardware config has an entry under each canonical name it covers, and no aliases of its own', () => {
    const cfg = loadHardwareConfig('hardware_config.json');
    for (const g of cfg.gpus) {
      expect(canonicalGpuName(g.key)).toBe(g.key);
      expect(g.aliases).toEqual([]);
    }
  });
});

describe('every lookup canonicalises through the table', () => {
  const cfg = parseHardwareConfig(
    {
      'A100-80GB': { TFlopsPeak: 312, BwPeakTBs: 2.039 },
      H100: { TFlopsPeak: 989.5, BwPeakTBs: 3.35 },
      MyGpu: { TFlopsPeak: 1, BwPeakTBs: 1, aliases: ['my-gpu-v2'] },
    },
    'hw.json',
  );

  it('hardware config: any name of the GPU finds its entry; an entry alias still works', () => {
    for (const n of ['A100-80', 'a100 sxm4 80gb', 'NVIDIA A100-SXM4-80GB', 'A100-SXM'])
      expect(lookupGpu(cfg, n)?.key).toBe('A100-80GB');
    expect(lookupGpu(cfg, 'nvidia h100 80gb hbm3')?.key).toBe('H100');
    expect(lookupGpu(cfg, 'MY_GPU_V2')?.key).toBe('MyGpu');
    expect(lookupGpu(cfg, 'A100-40GB')).toBeUndefined();
  });

  it('an ambiguous or unknown name is bad input naming the candidates or the known GPUs', () => {
    expect(() => findGpu(cfg, 'A100')).toThrow(
      "hw.json: GPU 'A100' is ambiguous: name one of A100-40GB, A100-80GB (known: A100-80GB, H100, MyGpu)",
    );
    expect(() => findGpu(cfg, 'B200')).toThrow("hw.json: no GPU 'B200' (known: A100-80GB, H100, MyGpu)");
  });

  it('an entry spelt exactly as asked wins over one the table maps the name to', () => {
    const two = parseHardwareConfig(
      { 'A100-SXM': { TFlopsPeak: 1, BwPeakTBs: 1 }, 'A100-80': { TFlopsPeak: 2, BwPeakTBs: 2 } },
      'blis.json',
    );
    expect(lookupGpu(two, 'A100-80')?.key).toBe('A100-80');
    expect(lookupGpu(two, 'A100-80GB')?.key).toBe('A100-SXM');
  });

  it('coefficient rows spelt A100-80 serve A100-80GB (the shipped defaults.yaml)', () => {
    const table = loadDefaults('defaults.yaml');
    const row = table.models.find((m) => m.GPU === 'A100-80')!;
    for (const n of ['A100-80GB', 'NVIDIA A100-SXM4-80GB'])
      expect(findCoefficientsAnyVersion(table, row.id, n, row.tensor_parallelism)).toBe(row);
    expect(findCoefficientsAnyVersion(table, row.id, 'A100', row.tensor_parallelism)).toBeUndefined();
  });

  it('bench-data folders match any name of the GPU, the exact spelling first', () => {
    const root = mkdtempSync(join(tmpdir(), 'gpu-names-'));
    for (const d of ['a100-80', 'h100', 'H100-80GB'])
      mkdirSync(join(root, d, 'gemm_bench'), { recursive: true });
    expect(findEntry(root, ['A100-80GB'])).toBe('a100-80');
    expect(findEntry(root, ['H100-80GB'])).toBe('H100-80GB');
    expect(findEntry(root, ['h100'])).toBe('h100');
    expect(findEntry(root, ['A100'])).toBeUndefined();
    expect(hasBenchData(root, 'NVIDIA A100-SXM4-80GB')).toBe(false); // no table yet
    writeFileSync(join(root, 'a100-80', PROJECT_GEMM), 'm,k,n,latency_us,mfu\n');
    expect(hasBenchData(root, 'NVIDIA A100-SXM4-80GB')).toBe(true);
  });
});
