import type { StepRequest } from '../../src/latency/types.ts';
import { sharedJson } from './shared.ts';

export interface BatchGroup {
  count: number;
  input_len: number;
  progress: number;
  new_tokens: number;
  output_len: number;
}

export interface TpConfig {
  config_dir: string;
  gpu: string;
  tp: number;
  model: string;
  hardware: { TFlopsPeak: number; TFlopsFP8: number; BwPeakTBs: number };
  blis_frozen_features: Record<string, number | boolean>;
}

export interface TpCase {
  case: string;
  config_dir: string;
  gpu: string;
  tp: number;
  model: string;
  batch: BatchGroup[];
  step_time_us: number;
  terms_float_recomputed: Record<string, number>;
}

export interface TpReference {
  beta_coeffs_array: number[];
  alpha_coeffs_array: number[];
  configs: TpConfig[];
  cases: TpCase[];
}

export const tpReference = () => sharedJson<TpReference>('data/blis/trained_physics_reference.json');

/** A reference batch's groups as step requests. */
export function expandBatch(groups: readonly BatchGroup[]): StepRequest[] {
  return groups.flatMap((g) =>
    Array.from({ length: g.count }, () => ({
      inputLen: g.input_len,
      progressIndex: g.progress,
      numNewTokens: g.new_tokens,
      outputLen: g.output_len,
    })),
  );
}

/** `run` of BLIS v0.7.1's single-request check (llama-3.1-8b, H100, TP 1; docs/latency-models.md). */
export const SINGLE_REQUEST_RUN = [
  'run',
  '--model',
  'meta-llama/llama-3.1-8b-instruct',
  '--latency-model',
  'trained-physics',
  '--hardware',
  'H100',
  '--tp',
  '1',
  '--workload-spec',
  'test/fixtures/trained-physics/single-request.yaml',
];
