import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { buildRooflineModel, clearLatencyCaches } from '../../src/config/latency-factory.ts';
import { loadModelConfig } from '../../src/config/model-config.ts';
import { buildTrainedPhysicsModel } from '../../src/config/trained-physics-factory.ts';
import { InputError } from '../../src/errors.ts';
import { weightBytesPerGpu } from '../../src/latency/arch.ts';
import { attentionWindow, unmodelledFeatures } from '../../src/latency/arch-features.ts';
import type { LatencyModel, StepRequest } from '../../src/latency/types.ts';
import type { AttentionWindowMode } from '../../src/latency/window-guard.ts';

/**
 * Every shipped model config, under every latency model that reads configs: it runs a step
 * (a positive whole number of µs) or it is refused naming the feature no latency model
 * represents, and it is refused exactly when its config declares such a feature. A config
 * that fails for any other reason (a missing field, an unknown architecture) fails here.
 */
const ROOT = 'model_configs';
const FOLDERS = readdirSync(ROOT, { withFileTypes: true })
  .filter((e) => e.isDirectory())
  .map((e) => e.name)
  .sort();
const KINDS = ['roofline-v1', 'roofline-v2', 'trained-physics'] as const;

const merged = (folder: string) => {
  const top = JSON.parse(readFileSync(join(ROOT, folder, 'config.json'), 'utf8'));
  return { ...top, ...(top.text_config ?? {}) };
};

function build(
  kind: (typeof KINDS)[number],
  folder: string,
  attentionWindow: AttentionWindowMode = 'model',
): LatencyModel {
  const setup = {
    model: folder,
    modelConfigPath: join(ROOT, folder),
    hardwareConfigPath: 'hardware_config.json',
    gpu: 'H100',
    tp: 1,
    attentionWindow,
  };
  if (kind === 'trained-physics') return buildTrainedPhysicsModel(setup).model;
  return buildRooflineModel({ kind, ...setup, benchDataPath: 'bench_data' }).model;
}

/** A mixed step: one 256-token prompt chunk beside 8 decodes at context 300 (inside every window). */
const step: StepRequest[] = [
  { progressIndex: 0, numNewTokens: 256, inputLen: 256, outputLen: 32 },
  ...Array.from({ length: 8 }, () => ({
    progressIndex: 300,
    numNewTokens: 1,
    inputLen: 200,
    outputLen: 200,
  })),
];

describe('shipped model configs', () => {
  it('ship the models people serve, one folder each with a config.json', () => {
    expect(FOLDERS.length).toBeGreaterThanOrEqual(50);
    for (const f of FOLDERS) expect(f, f).toBe(f.toLowerCase());
  });

  it.each(FOLDERS)('%s runs a step under each latency model, or is refused naming the feature', (folder) => {
    clearLatencyCaches();
    const features = unmodelledFeatures(merged(folder));
    for (const kind of KINDS) {
      if (features.length > 0) {
        expect(() => build(kind, folder), `${folder} ${kind}`).toThrow(InputError);
        expect(() => build(kind, folder), `${folder} ${kind}`).toThrow(
          new RegExp(`${folder}: .*${features[0]!.feature.replace(/[()]/g, '\\$&')}.* not modelled by`),
        );
        continue;
      }
      const t = build(kind, folder).stepTime(step);
      expect(Number.isInteger(t) && t > 0, `${folder} ${kind}: ${t}`).toBe(true);
    }
  });

  const windowed = FOLDERS.filter(
    (f) => attentionWindow(merged(f)) !== undefined && unmodelledFeatures(merged(f)).length === 0,
  );
  it('every shipped windowed model names its windowed layers (by layer_types or its family rule)', () => {
    expect(windowed.length).toBeGreaterThanOrEqual(10);
    for (const f of windowed) expect(attentionWindow(merged(f))!.layers, f).toBeGreaterThan(0);
  });

  it.each(windowed)('%s runs past its window, costing no more than full attention (BLIS mode)', (folder) => {
    const w = attentionWindow(merged(folder))!.tokens;
    // A decode and a prompt chunk, both past the window.
    const past: StepRequest[] = [
      { progressIndex: w + 100, numNewTokens: 1, inputLen: 16, outputLen: w + 200 },
      { progressIndex: w, numNewTokens: 256, inputLen: w + 256, outputLen: 8 },
    ];
    for (const kind of KINDS) {
      const windowedStep = build(kind, folder).stepTime(past);
      const blisStep = build(kind, folder, 'blis').stepTime(past);
      expect(Number.isInteger(windowedStep) && windowedStep > 0, `${folder} ${kind}`).toBe(true);
      expect(windowedStep, `${folder} ${kind}`).toBeLessThanOrEqual(blisStep);
      // Inside the window both modes agree exactly.
      const n = Math.min(w, 100);
      const inside: StepRequest[] = [
        { progressIndex: 0, numNewTokens: n, inputLen: n, outputLen: 8 },
        { progressIndex: n - 1, numNewTokens: 1, inputLen: 16, outputLen: 200 },
      ];
      expect(build(kind, folder).stepTime(inside), `${folder} ${kind}`).toBe(
        build(kind, folder, 'blis').stepTime(inside),
      );
    }
  });

  it('gpt-oss reads its MXFP4 experts at 4.25 bits and everything else at 16 (by hand)', () => {
    const a = loadModelConfig(join(ROOT, 'gpt-oss-20b'));
    expect([a.bytesPerParam, a.weightBytesPerParam, a.expertWeightBytesPerParam]).toEqual([2, 2, 4.25 / 8]);
    // 24 layers of attention (Q, O 2880·64·64; K, V 2880·8·64) and router (2880·32) at 2 bytes,
    // 24·32 experts of 3·2880·2880 at 4.25/8 bytes, untied 201088·2880 embeddings and head at 2.
    const attention = 24 * (2 * 2880 * 4096 + 2 * 2880 * 512 + 2880 * 32);
    const experts = 24 * 32 * 3 * 2880 * 2880;
    expect(weightBytesPerGpu(a, 1)).toBe(attention * 2 + (experts * 4.25) / 8 + 2 * 201088 * 2880 * 2);
    expect(weightBytesPerGpu(a, 1)).toBe(13_747_322_880);
  });

  it('MLA models still give the KV cache of their latent (KV blocks derive for blackbox)', () => {
    const a = loadModelConfig(join(ROOT, 'deepseek-v3'));
    expect(a.kvLatentDim).toBe(512 + 64);
    expect(a.refusal).toMatch(/multi-head latent attention/);
  });
});
