/**
 * BLIS v0.6.1's expansion of an inference-perf profile (`inference_perf:` in a
 * workload spec) into ordinary clients (reference §7.4):
 * - aggregate rate = duration-weighted mean of the stage rates; with more than one
 *   stage, every client gets one lifecycle window per stage (the rate stays the mean);
 * - shared_prefix: N system prompts × M users = N·M Poisson clients with constant
 *   lengths, prefix group `prompt-<p>` of length system_prompt_len;
 * - enable_multi_turn_chat: reasoning sessions of 5 rounds, 500 ms think time,
 *   accumulated context.
 * This is how BLIS replays a profile; the experiment as inference-perf actually ran
 * it is replayed by shared-prefix.ts.
 */
import { InputError } from '../errors.ts';
import type { ClientSpec, DistSpec, InferencePerfSpec } from './spec-schema.ts';

export interface ExpandedInferencePerf {
  clients: ClientSpec[];
  category: string;
  aggregateRate: number;
}

const constant = (value: number): DistSpec => ({ type: 'constant', params: { value }, file: '' });

/** The expansion; an InputError names the first invalid field. */
export function expandInferencePerf(
  spec: InferencePerfSpec,
  source = 'workload spec',
): ExpandedInferencePerf {
  const fail = (field: string, msg: string): never => {
    throw new InputError(`${source}: inference_perf.${field}: ${msg}`);
  };
  if (spec.stages.length === 0) fail('stages', 'at least one stage required');
  spec.stages.forEach((s, i) => {
    if (!(s.duration > 0)) fail(`stages[${i}].duration`, `must be positive, got ${s.duration}`);
    if (!(s.rate > 0 && Number.isFinite(s.rate)))
      fail(`stages[${i}].rate`, `must be a finite positive number, got ${s.rate}`);
  });
  const sp = spec.shared_prefix ?? fail('shared_prefix', 'is required');
  if (sp.num_unique_system_prompts <= 0) fail('shared_prefix.num_unique_system_prompts', 'must be positive');
  if (sp.num_users_per_system_prompt <= 0)
    fail('shared_prefix.num_users_per_system_prompt', 'must be positive');
  for (const k of ['system_prompt_len', 'question_len', 'output_len'] as const) {
    if (sp[k] < 0) fail(`shared_prefix.${k}`, `must be non-negative, got ${sp[k]}`);
  }

  let totalDuration = 0;
  let weighted = 0;
  for (const s of spec.stages) {
    totalDuration += s.duration;
    weighted += s.rate * s.duration;
  }
  const windows = spec.stages.length > 1 ? stageWindows(spec.stages) : undefined;
  const multiTurn = sp.enable_multi_turn_chat;
  const n = sp.num_unique_system_prompts * sp.num_users_per_system_prompt;
  const clients: ClientSpec[] = [];
  for (let p = 0; p < sp.num_unique_system_prompts; p++) {
    const group = `prompt-${p}`;
    for (let u = 0; u < sp.num_users_per_system_prompt; u++) {
      const client: ClientSpec = {
        id: `${group}-user-${u}`,
        tenant_id: group,
        slo_class: 'batch',
        rate_fraction: 1 / n,
        arrival: { process: 'poisson' },
        input_distribution: constant(sp.question_len),
        output_distribution: constant(sp.output_len),
        prefix_group: group,
        prefix_length: sp.system_prompt_len,
        streaming: false,
      };
      if (windows !== undefined) client.lifecycle = { windows: windows.map((w) => ({ ...w })) };
      if (multiTurn) {
        client.reasoning = {
          reason_ratio_distribution: constant(0),
          multi_turn: { max_rounds: 5, think_time_us: 500_000, context_growth: 'accumulate' },
        };
      }
      clients.push(client);
    }
  }
  return { clients, category: multiTurn ? 'reasoning' : 'language', aggregateRate: weighted / totalDuration };
}

/** Consecutive [start, end) windows in µs, one per stage. */
export function stageWindows(
  stages: readonly { duration: number }[],
): { start_us: number; end_us: number }[] {
  let offset = 0;
  return stages.map((s) => {
    const w = { start_us: offset, end_us: offset + s.duration * 1_000_000 };
    offset = w.end_us;
    return w;
  });
}
