import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { buildRooflineModel, clearLatencyCaches } from '../../src/config/latency-factory.ts';
import { loadModelConfig } from '../../src/config/model-config.ts';
import { buildTrainedPhysicsModel } from '../../src/config/trained-physics-factory.ts';
import { InputError } from '../../src/errors.ts';
import { attentionWindow, unmodelledFeatures } from '../../src/latency/arch-features.ts';
import type { LatencyModel, StepRequest } from '../../src/latency/types.ts';

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

function build(kind: (typeof KINDS)[number], folder: string): LatencyModel {
  const setup = {
    model: folder,
    modelConfigPath: join(ROOT, folder),
    hardwareConfigPath: 'hardware_config.json',
    gpu: 'H100',
    tp: 1,
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

  it.each(
    FOLDERS.filter(
      (f) => attentionWindow(merged(f)) !== undefined && unmodelledFeatures(merged(f)).length === 0,
    ),
  )('%s stops at the first step past its attention window', (folder) => {
    const w = attentionWindow(merged(folder))!.tokens;
    const past: StepRequest[] = [{ progressIndex: w, numNewTokens: 1, inputLen: 16, outputLen: w }];
    for (const kind of KINDS) {
      expect(() => build(kind, folder).stepTime(past), `${folder} ${kind}`).toThrow(
        new RegExp(`attention \\(${w} tokens\\) is not modelled by ${kind} past the window`),
      );
    }
  });

  it('MLA models still give the KV cache of their latent (KV blocks derive for blackbox)', () => {
    const a = loadModelConfig(join(ROOT, 'deepseek-v3'));
    expect(a.kvLatentDim).toBe(512 + 64);
    expect(a.refusal).toMatch(/multi-head latent attention/);
  });
});
