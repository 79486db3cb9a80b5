import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { transferredDatabase } from '../../src/config/bench-transfer.ts';
import { loadHardwareConfig, parseHardwareConfig } from '../../src/config/hardware-config.ts';
import type { BenchData } from '../../src/mfu/tables.ts';
import { attentionKey } from '../../src/mfu/tables.ts';
import { transferBenchData, transferMfu } from '../../src/mfu/transfer.ts';

/** Source ridge 1000/4 = 250 FLOP/byte, target 250/2 = 125. */
const FROM = { tflops: 1000, bwTBs: 4 };
const TO = { tflops: 250, bwTBs: 2 };

/** A hand-made table (not in shared/): three GEMM rows around the ridge, one decode row, one prefill row. */
const KEY = attentionKey({ heads: 32, kvHeads: 8, headDim: 128 });
const TABLE: BenchData = {
  gemm: {
    source: 'hand-made',
    points: [
      { m: 4096, k: 4096, n: 4096, mfu: 0.6 },
      { m: 8, k: 4096, n: 4096, mfu: 0.01 },
      { m: 160, k: 4096, n: 4096, mfu: 0.3 },
    ],
  },
  prefill: new Map([[KEY, { source: 'hand-made', points: [{ seqLen: 1024, mfu: 0.5 }] }]]),
  decode: new Map([
    [KEY, new Map([[1, { source: 'hand-made', points: [{ batch: 16, kvLen: 1024, mfu: 0.004 }] }]])],
  ]),
};

describe('MFU table transfer (hand-made table)', () => {
  const out = transferBenchData(TABLE, FROM, TO, 'test');
  const gemm = out.gemm.points.map((p) => p.mfu);

  it('keeps the MFU of a GEMM compute-bound on both GPUs', () => {
    // F = 2·4096³ = 1.374e11, B = 2·3·4096² = 1.007e8: 1365 FLOP/byte, above both ridges.
    expect(gemm[0]).toBeCloseTo(0.6, 12);
  });

  it('scales a GEMM memory-bound on both by the ratio of the ridges (250 / 125 = 2)', () => {
    // F = 2·8·4096² = 2.684e8, B = 2·(8·4096 + 4096² + 8·4096) = 3.369e7: 7.97 FLOP/byte.
    expect(gemm[1]).toBeCloseTo(0.02, 12);
  });

  it('moves a GEMM that is memory-bound on the source and compute-bound on the target by rho_source', () => {
    // F = 2·160·4096² = 5.3687e9, B = 2·(2·160·4096 + 4096²) = 3.6176e7: 148.4 FLOP/byte;
    // rho_source = 250 / 148.4 = 1.684555, rho_target = 0.842 < 1: MFU 0.3 × 1.684555 = 0.505367.
    expect(gemm[2]).toBeCloseTo(0.505367, 5);
  });

  it('treats decode attention as memory-bound (H/KV = 4 FLOP/byte) and prefill attention as compute-bound', () => {
    expect(out.decode.get(KEY)!.get(1)!.points[0]!.mfu).toBeCloseTo(0.008, 4);
    expect(out.prefill.get(KEY)!.points[0]!.mfu).toBeCloseTo(0.5, 12);
  });

  it('is the identity between GPUs with the same peaks, and names its source', () => {
    expect(transferMfu(0.123, 1e9, 1e9, FROM, FROM)).toBe(0.123);
    expect(out.gemm.source).toBe('hand-made (test)');
  });
});

describe('the measured GPU a transfer starts from', () => {
  const root = resolve('bench_data');
  const hardware = loadHardwareConfig(resolve('hardware_config.json'));
  const gpu = (key: string) => hardware.gpus.find((g) => g.key === key)!;

  it('is H100 for Ada and Ampere GPUs (no measured GPU of theirs; H800 lacks prefill tables)', () => {
    for (const target of ['RTX4090', 'L40S', 'A100-80GB', 'H200']) {
      expect(transferredDatabase(root, gpu(target), hardware).from).toBe('H100');
    }
  });

  it('takes the nearest ridge point when the architecture does not decide (H20 for a low-compute GPU)', () => {
    const cfg = parseHardwareConfig(
      {
        H100: { TFlopsPeak: 989.5, BwPeakTBs: 3.35 },
        H20: { TFlopsPeak: 148, BwPeakTBs: 4 },
        SLOWGPU: { TFlopsPeak: 100, BwPeakTBs: 3 },
      },
      'hand-made.json',
    );
    const target = cfg.gpus.find((g) => g.key === 'SLOWGPU')!;
    // Ridge 33 FLOP/byte: H20's 37 is nearer than H100's 295.
    const t = transferredDatabase(root, target, cfg);
    expect(t.from).toBe('H20');
    expect(t.db.label).toContain('transferred from H20 to SLOWGPU');
  });
});
