import { readFileSync } from 'node:fs';
import { parse } from 'yaml';
import { z } from 'zod';
import { InputError } from '../errors.ts';
import { sameGpu } from './gpu-names.ts';
import { formatZodError } from './zod-error.ts';

const presetSchema = z.strictObject({
  prefix_tokens: z.number().int().nonnegative().optional(),
  prompt_tokens: z.number(),
  prompt_tokens_stdev: z.number(),
  prompt_tokens_min: z.number(),
  prompt_tokens_max: z.number(),
  output_tokens: z.number(),
  output_tokens_stdev: z.number(),
  output_tokens_min: z.number(),
  output_tokens_max: z.number(),
});

const rowSchema = z.strictObject({
  id: z.string().min(1),
  GPU: z.string().min(1),
  tensor_parallelism: z.number().int().positive(),
  vllm_version: z.string(),
  alpha_coeffs: z.array(z.number()).min(3),
  beta_coeffs: z.array(z.number()).min(3),
  total_kv_blocks: z.number().int().positive(),
  best_loss: z.number().optional(),
  provenance: z.string().optional(),
});

// Strict like BLIS's parser: an unknown key is an error, not silently ignored.
const defaultsSchema = z.strictObject({
  version: z.string(),
  defaults: z.record(
    z.string(),
    z.strictObject({
      GPU: z.string(),
      tensor_parallelism: z.number().int().positive(),
      vllm_version: z.string(),
    }),
  ),
  workloads: z.record(z.string(), presetSchema),
  models: z.array(rowSchema),
});

export type CoefficientRow = z.infer<typeof rowSchema>;
export type DefaultsFile = z.infer<typeof defaultsSchema>;

/** Reads and validates a BLIS-style defaults.yaml (coefficient table, defaults, presets). */
export function loadDefaults(path: string): DefaultsFile {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch {
    throw new InputError(`${path}: cannot read the coefficient table (--defaults-filepath)`);
  }
  let doc: unknown;
  try {
    doc = parse(text);
  } catch (e) {
    throw new InputError(`${path}: not valid YAML: ${(e as Error).message}`);
  }
  const parsed = defaultsSchema.safeParse(doc);
  if (!parsed.success) throw new InputError(formatZodError(path, parsed.error));
  return parsed.data;
}

export interface CoefficientQuery {
  model: string;
  gpu: string;
  tp: number;
  vllmVersion: string;
}

/** Fills GPU/TP/vLLM version left unset from the model's `defaults` entry (§9.2 default path). */
export function resolveDefaults(file: DefaultsFile, q: CoefficientQuery): CoefficientQuery {
  const model = q.model.toLowerCase();
  const d = file.defaults[model];
  return {
    model,
    gpu: q.gpu || d?.GPU || '',
    tp: q.tp > 0 ? q.tp : (d?.tensor_parallelism ?? 0),
    vllmVersion: q.vllmVersion || d?.vllm_version || '',
  };
}

/** First row matching (id, TP, GPU, vLLM version) exactly (the GPU by the alias table), or undefined. */
export function findCoefficients(file: DefaultsFile, q: CoefficientQuery): CoefficientRow | undefined {
  const model = q.model.toLowerCase();
  return file.models.find(
    (m) =>
      m.id === model &&
      m.tensor_parallelism === q.tp &&
      sameGpu(m.GPU, q.gpu) &&
      m.vllm_version === q.vllmVersion,
  );
}

/** Rows for a model/GPU/TP whatever their vLLM version (the evaluator's looser match). */
export function findCoefficientsAnyVersion(
  file: DefaultsFile,
  model: string,
  gpu: string,
  tp: number,
): CoefficientRow | undefined {
  const id = model.toLowerCase();
  return file.models.find((m) => m.id === id && m.tensor_parallelism === tp && sameGpu(m.GPU, gpu));
}
