/**
 * Staged inference-perf shared-prefix experiments (ground-truth.md), two ways:
 * - as EXECUTED (`resolved_by_inference_perf`, the default replay): num_groups system
 *   prompts, num_prompts_per_group questions each, each stage's arrivals at its rate
 *   (evenly spaced, or drawn for Poisson load: stage-arrivals.ts), each arrival sending a
 *   uniformly drawn prompt, as inference-perf samples them;
 * - as the PROFILE reads in BLIS (`inference_perf`), via the workload-spec expansion.
 * Seeds are explicit; requests carry their stage index.
 */
import { z } from 'zod';
import { InputError } from '../errors.ts';
import { PartitionedRNG } from '../sim/rng.ts';
import { MAX_TOKEN_ID, randomTokens } from './distribution.ts';
import { stageWindows } from './inference-perf.ts';
import { generateFromSpec } from './spec.ts';
import { fieldPath, type InferencePerfSpec, inferencePerfSchema, type WorkloadSpec } from './spec-schema.ts';
import { STAGE_LOAD_TYPES, stageArrivals } from './stage-arrivals.ts';
import type { RequestSource, WorkloadRequest } from './types.ts';

/** Subsystem of the replay's generator, so one seed gives independent workloads. */
export const SUBSYSTEM_SHARED_PREFIX = 'workload-shared-prefix';

const positiveInt = z.number().int().positive();
const nonNegativeInt = z.number().int().nonnegative();

/** `resolved_by_inference_perf` as ground-truth files carry it; extra keys are kept and ignored. */
export const executedSharedPrefixSchema = z.object({
  shared_prefix: z.object({
    num_groups: positiveInt,
    num_prompts_per_group: positiveInt,
    system_prompt_len: nonNegativeInt,
    question_len: nonNegativeInt,
    output_len: nonNegativeInt,
  }),
  load_type: z.enum(STAGE_LOAD_TYPES).default('constant'),
  stages: z.array(z.object({ rate: z.number().positive(), duration: z.number().positive() })).min(1),
});

export type ExecutedSharedPrefix = z.output<typeof executedSharedPrefixSchema>;

function parseWith<T>(schema: z.ZodType<T>, value: unknown, where: string): T {
  const r = schema.safeParse(value);
  if (!r.success) {
    const issue = r.error.issues[0]!;
    throw new InputError(`${where}: ${fieldPath(issue.path)}: ${issue.message}`);
  }
  return r.data;
}

export function parseExecutedSharedPrefix(
  value: unknown,
  where = 'resolved_by_inference_perf',
): ExecutedSharedPrefix {
  return parseWith(executedSharedPrefixSchema, value, where);
}

/** A profile (`inference_perf` block) as BLIS's workload spec accepts it. */
export function parseInferencePerfProfile(value: unknown, where = 'inference_perf'): InferencePerfSpec {
  return parseWith(inferencePerfSchema, value, where);
}

/**
 * The executed experiment, lazily: all prompts are drawn first (system prompts, then
 * questions group by group, then one output list per prompt), then one Intn(N·M) per
 * arrival picks the prompt. Arrivals: stageArrivals (the load type's).
 */
export function* sharedPrefixRequests(
  exp: ExecutedSharedPrefix,
  seed: bigint | number,
): Generator<WorkloadRequest> {
  const { num_groups: groups, num_prompts_per_group: perGroup } = exp.shared_prefix;
  const {
    system_prompt_len: systemLen,
    question_len: questionLen,
    output_len: outputLen,
  } = exp.shared_prefix;
  const rng = new PartitionedRNG(seed).forSubsystem(SUBSYSTEM_SHARED_PREFIX);
  const system = Array.from({ length: groups }, () => randomTokens(rng, systemLen));
  const prompts: Int32Array[] = [];
  for (let g = 0; g < groups; g++) {
    for (let p = 0; p < perGroup; p++) {
      const prompt = new Int32Array(systemLen + questionLen);
      prompt.set(system[g]!);
      rng.fillIntn(prompt.subarray(systemLen), MAX_TOKEN_ID);
      prompts.push(prompt);
    }
  }
  const outputs = prompts.map(() => randomTokens(rng, outputLen));
  let id = 0;
  for (const { arrival, stage } of stageArrivals(exp, seed)) {
    const pick = rng.intn(prompts.length);
    yield {
      id: `request_${id++}`,
      arrival,
      // Fresh copies: the simulator owns each request's arrays.
      input: prompts[pick]!.slice(),
      output: outputs[pick]!.slice(),
      stage,
    };
  }
}

export interface ProfileOptions {
  /** µs; default: the end of the last stage. */
  horizon?: number;
  /** Request cap after the merge; default none. */
  numRequests?: number;
}

/**
 * A profile replayed the way BLIS reads it: the workload-spec expansion with the
 * given seed. `stage` is the stage whose window holds the arrival (for multi-turn
 * rounds, the session's start); single-stage profiles are stage 0.
 */
export function inferencePerfProfileRequests(
  profile: InferencePerfSpec,
  seed: bigint | number,
  options: ProfileOptions = {},
): RequestSource {
  const spec: WorkloadSpec = {
    version: '1',
    seed: 0,
    category: '',
    clients: [],
    aggregate_rate: 0,
    horizon: 0,
    num_requests: 0,
    inference_perf: profile,
  };
  const source = generateFromSpec(spec, {
    seed,
    horizon: options.horizon ?? stageWindows(profile.stages).at(-1)?.end_us ?? 0,
    numRequests: options.numRequests ?? 0,
    stageFromWindows: true,
  });
  return withDefaultStage(source);
}

function* withDefaultStage(source: RequestSource): Generator<WorkloadRequest> {
  for (const req of source) {
    if (req.stage === undefined) req.stage = 0;
    yield req;
  }
}
