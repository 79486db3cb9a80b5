/**
 * The workload-spec YAML, schema v1 as BLIS v0.6.1 reads it (reference §7.4). Parsing
 * is strict like BLIS's (unknown keys are errors); a missing field takes Go's zero
 * value. Every error is an InputError naming the source and the field path.
 */
import { parse as parseYaml } from 'yaml';
import { z } from 'zod';
import { InputError } from '../errors.ts';

const int = z.number().int();

export const distSpecSchema = z.strictObject({
  type: z.string().default(''),
  params: z.record(z.string(), z.number()).default({}),
  file: z.string().default(''),
});

const emptyDist = (): DistSpec => ({ type: '', params: {}, file: '' });

export const windowSchema = z.strictObject({ start_us: int.default(0), end_us: int.default(0) });

export const clientSchema = z.strictObject({
  id: z.string().default(''),
  tenant_id: z.string().default(''),
  slo_class: z.string().default(''),
  rate_fraction: z.number().default(0),
  arrival: z
    .strictObject({ process: z.string().default(''), cv: z.number().optional() })
    .default({ process: '' }),
  input_distribution: distSpecSchema.default(emptyDist),
  output_distribution: distSpecSchema.default(emptyDist),
  prefix_group: z.string().default(''),
  prefix_length: int.default(0),
  streaming: z.boolean().default(false),
  network: z
    .strictObject({ rtt_ms: z.number().default(0), bandwidth_mbps: z.number().default(0) })
    .optional(),
  lifecycle: z.strictObject({ windows: z.array(windowSchema).default([]) }).optional(),
  multimodal: z
    .strictObject({
      text_distribution: distSpecSchema.default(emptyDist),
      image_distribution: distSpecSchema.default(emptyDist),
      image_count_distribution: distSpecSchema.default(emptyDist),
      audio_distribution: distSpecSchema.default(emptyDist),
      audio_count_distribution: distSpecSchema.default(emptyDist),
      video_distribution: distSpecSchema.default(emptyDist),
      video_count_distribution: distSpecSchema.default(emptyDist),
    })
    .optional(),
  reasoning: z
    .strictObject({
      reason_ratio_distribution: distSpecSchema.default(emptyDist),
      multi_turn: z
        .strictObject({
          max_rounds: int.default(0),
          think_time_us: int.default(0),
          context_growth: z.string().default(''),
        })
        .optional(),
    })
    .optional(),
});

export const inferencePerfSchema = z.strictObject({
  stages: z.array(z.strictObject({ rate: z.number().default(0), duration: int.default(0) })).default([]),
  shared_prefix: z
    .strictObject({
      num_unique_system_prompts: int.default(0),
      num_users_per_system_prompt: int.default(0),
      system_prompt_len: int.default(0),
      question_len: int.default(0),
      output_len: int.default(0),
      enable_multi_turn_chat: z.boolean().default(false),
    })
    .optional(),
});

export const workloadSpecSchema = z.strictObject({
  version: z.union([z.string(), z.number()]).transform(String).default(''),
  seed: int.default(0),
  category: z.string().default(''),
  clients: z.array(clientSchema).default([]),
  aggregate_rate: z.number().default(0),
  horizon: int.default(0),
  num_requests: int.default(0),
  servegen_data: z
    .strictObject({ path: z.string().default(''), span_start: int.default(0), span_end: int.default(0) })
    .optional(),
  inference_perf: inferencePerfSchema.optional(),
});

export type DistSpec = z.output<typeof distSpecSchema>;
export type ClientSpec = z.output<typeof clientSchema>;
export type ActiveWindow = z.output<typeof windowSchema>;
export type InferencePerfSpec = z.output<typeof inferencePerfSchema>;
export type WorkloadSpec = z.output<typeof workloadSpecSchema>;

/** `clients[0].arrival.process` style path, as error messages show it. */
export function fieldPath(path: readonly PropertyKey[]): string {
  let out = '';
  for (const p of path) {
    if (typeof p === 'number') out += `[${p}]`;
    else out += out === '' ? String(p) : `.${String(p)}`;
  }
  return out === '' ? '(top level)' : out;
}

/** Validates an already-parsed value (for example a ground-truth file's embedded spec). */
export function workloadSpecFromValue(value: unknown, source = 'workload spec'): WorkloadSpec {
  const result = workloadSpecSchema.safeParse(value ?? {});
  if (!result.success) {
    const issue = result.error.issues[0]!;
    const keys = issue.code === 'unrecognized_keys' ? ` (${issue.keys.join(', ')})` : '';
    throw new InputError(`${source}: ${fieldPath(issue.path)}: ${issue.message}${keys}`);
  }
  return result.data;
}

/** Parses workload-spec YAML text; syntax errors name the line. */
export function parseWorkloadSpecYaml(text: string, source = 'workload spec'): WorkloadSpec {
  let value: unknown;
  try {
    value = parseYaml(text);
  } catch (err) {
    const pos = (err as { linePos?: { line: number }[] }).linePos?.[0];
    const at = pos === undefined ? '' : ` line ${pos.line}`;
    throw new InputError(`${source}${at}: invalid YAML: ${(err as Error).message.split('\n')[0]}`);
  }
  return workloadSpecFromValue(value, source);
}
