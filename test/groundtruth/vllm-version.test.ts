import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parseGroundTruth } from '../../src/groundtruth/load.ts';
import { schedulingMode, versionOf } from '../../src/groundtruth/vllm-version.ts';

describe('vLLM versions and the scheduling mode they imply', () => {
  it('reads the versions people write', () => {
    expect(versionOf('v0.10.1.1')).toEqual([0, 10]);
    expect(versionOf('0.8.3+cu124')).toEqual([0, 8]);
    expect(versionOf('nightly')).toBeUndefined();
  });

  it('async scheduling is the default from 0.14, off before it', () => {
    expect(schedulingMode('0.11.0', undefined).async).toBe(false);
    expect(schedulingMode('v0.13.0', null).async).toBe(false);
    expect(schedulingMode('0.8.3', null).async).toBe(false);
    expect(schedulingMode('0.14.0', null).async).toBe(true);
    expect(schedulingMode('0.15.1', null).async).toBe(true);
    expect(schedulingMode('1.0.0', null).async).toBe(true);
  });

  it('a stated switch wins over the version; nothing readable leaves it unknown', () => {
    expect(schedulingMode('0.11.0', true)).toEqual({
      async: true,
      why: 'async_scheduling on as the server was started',
    });
    expect(schedulingMode('0.15.1', false).async).toBe(false);
    expect(schedulingMode(null, null)).toEqual({ async: null, why: 'vLLM version not recorded' });
    expect(schedulingMode('latest', undefined).async).toBeNull();
  });
});

describe('an experiment carries its scheduling mode', () => {
  // The qps-sweep fixture with its vllm_config extended.
  const fixture = JSON.parse(readFileSync('test/fixtures/gt/qps-sweep.json', 'utf8'));
  const engine = (vllm: Record<string, unknown>) => {
    const x = fixture.experiments[0];
    const raw = { experiments: [{ ...x, vllm_config: { ...x.vllm_config, ...vllm } }] };
    return parseGroundTruth(raw, 'gt.json')[0]!.engine.asyncScheduling;
  };

  it('from the version, the stated switch winning, null when neither says', () => {
    expect(engine({ vllm_version: '0.11.0' })).toBe(false);
    expect(engine({ vllm_version: '0.15.1' })).toBe(true);
    expect(engine({ vllm_version: '0.11.0', async_scheduling: true })).toBe(true);
    expect(engine({ vllm_version: '0.15.1', async_scheduling: false })).toBe(false);
    expect(engine({})).toBeNull();
  });
});
