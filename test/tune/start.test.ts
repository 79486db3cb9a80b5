import { describe, expect, it } from 'vitest';
import type { GpuSpec } from '../../src/config/hardware-config.ts';
import { defaultSpace, parseParamFlag } from '../../src/tune/space.ts';
import { rooflineStart } from '../../src/tune/start.ts';

const gpu = (v2: Record<string, number>): GpuSpec => ({
  key: 'H100',
  aliases: [],
  source: 'test',
  v1: {},
  v2,
  trainedPhysics: {},
  inherited: [],
});

describe('rooflineStart (v2)', () => {
  const optIn = [
    'decodeGemmMfuScale=0.5:3:0.05',
    'stepOverheadMicros=0:5000:50',
    'attentionMfuScale=0.5:2:0.05',
  ];
  const space = [
    ...defaultSpace('roofline-v2'),
    ...[...optIn, 'allReduceMicrosPerMB=0:20:0.25'].map((t) => parseParamFlag('roofline-v2', t)),
  ];
  it('takes the opt-in fields through --param only', () => {
    expect(defaultSpace('roofline-v2').map((p) => p.name)).not.toContain('stepOverheadMicros');
    expect(() => parseParamFlag('roofline-v1', 'stepOverheadMicros=0:1:1')).toThrow(/unknown field/);
  });
  it('starts absent fields at their neutral values, the decode GEMM scale at gemmMfuScale', () => {
    const s = rooflineStart(gpu({ gemmMfuScale: 1.3, bwEfficiencyFactor: 0.8 }), space);
    expect(s).toMatchObject({
      bwEfficiencyFactor: 0.8,
      gemmMfuScale: 1.3,
      decodeGemmMfuScale: 1.3,
      attentionMfuScale: 1,
      stepOverheadMicros: 0,
      allReduceMicros: 0,
      allReduceMicrosPerMB: 0,
    });
    expect(rooflineStart(gpu({}), space).decodeGemmMfuScale).toBe(1);
    expect(rooflineStart(gpu({ gemmMfuScale: 1.3, decodeGemmMfuScale: 2 }), space).decodeGemmMfuScale).toBe(
      2,
    );
  });
});

describe('the physics terms in the tuner (opt-in, both rooflines)', () => {
  it('are searched only when named, and start at 0 (off) where the file has none', () => {
    for (const model of ['roofline-v1', 'roofline-v2'] as const) {
      const names = defaultSpace(model).map((p) => p.name);
      expect(names).not.toContain('lmHeadScale');
      expect(names).not.toContain('allReduceLinkScale');
      const space = ['lmHeadScale=0:1.5:0.05', 'allReduceLinkScale=0:3:0.05'].map((t) =>
        parseParamFlag(model, t),
      );
      expect(space.map((p) => p.section)).toEqual([
        model === 'roofline-v1' ? 'v1' : 'v2',
        model === 'roofline-v1' ? 'v1' : 'v2',
      ]);
      expect(rooflineStart(gpu({}), space)).toEqual({ lmHeadScale: 0, allReduceLinkScale: 0 });
    }
    const v1 = parseParamFlag('roofline-v1', 'lmHeadScale=0:1:0.5');
    expect(rooflineStart({ ...gpu({}), v1: { lmHeadScale: 0.8 } }, [v1])).toEqual({ lmHeadScale: 0.8 });
    expect(() => parseParamFlag('roofline-v1', 'InterconnectGBs=0:900:100')).toThrow(/unknown field/);
  });
});
