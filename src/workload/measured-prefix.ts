/**
 * The executed shared-prefix experiment with the lengths that were measured
 * (`measured_token_stats`): the same prompts, prefix groups, stages and arrivals as
 * `sharedPrefixRequests`, but each request's prompt and output lengths are drawn from
 * distributions matching the measured quantiles and means (quantile-lengths.ts).
 */
import { PartitionedRNG } from '../sim/rng.ts';
import { MAX_TOKEN_ID, randomTokens } from './distribution.ts';
import { type LengthStats, QuantileLengths } from './quantile-lengths.ts';
import { type ExecutedSharedPrefix, SUBSYSTEM_SHARED_PREFIX } from './shared-prefix.ts';
import { stageArrivals } from './stage-arrivals.ts';
import type { WorkloadRequest } from './types.ts';

export interface MeasuredLengths {
  prompt: LengthStats;
  output: LengthStats;
}

/** Subsystem of the length draws, apart from the token draws. */
export const SUBSYSTEM_MEASURED_LENGTHS = 'workload-measured-lengths';

/**
 * Every prompt is written out to the longest measured prompt length (its group's system
 * prompt, then its own tokens) and every output to the longest output; a request sends the
 * first L prompt tokens and the first O output tokens of the prompt it picks. So a request
 * shorter than the system prompt sends part of it, the measured excess over
 * system_prompt_len + question_len (chat template, tokenisation) is the request's own, and
 * two requests for the same prompt still share their common prefix in the KV cache.
 */
export function* measuredSharedPrefixRequests(
  exp: ExecutedSharedPrefix,
  lengths: MeasuredLengths,
  seed: bigint | number,
): Generator<WorkloadRequest> {
  const {
    num_groups: groups,
    num_prompts_per_group: perGroup,
    system_prompt_len: systemLen,
  } = exp.shared_prefix;
  const promptLen = new QuantileLengths(lengths.prompt);
  const outputLen = new QuantileLengths(lengths.output);
  const tokens = new PartitionedRNG(seed).forSubsystem(SUBSYSTEM_SHARED_PREFIX);
  const draws = new PartitionedRNG(seed).forSubsystem(SUBSYSTEM_MEASURED_LENGTHS);
  const system = Array.from({ length: groups }, () => randomTokens(tokens, systemLen));
  const width = Math.max(systemLen, promptLen.hi, 1);
  const prompts: Int32Array[] = [];
  for (let g = 0; g < groups; g++) {
    for (let p = 0; p < perGroup; p++) {
      const prompt = new Int32Array(width);
      prompt.set(system[g]!);
      tokens.fillIntn(prompt.subarray(systemLen), MAX_TOKEN_ID);
      prompts.push(prompt);
    }
  }
  const outputs = prompts.map(() => randomTokens(tokens, outputLen.hi));
  let id = 0;
  for (const { arrival, stage } of stageArrivals(exp, seed)) {
    const pick = tokens.intn(prompts.length);
    const inputLen = Math.max(1, promptLen.draw(draws));
    yield {
      id: `request_${id++}`,
      arrival,
      input: prompts[pick]!.slice(0, inputLen),
      output: outputs[pick]!.slice(0, outputLen.draw(draws)),
      stage,
    };
  }
}
