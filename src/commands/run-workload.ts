import { readFileSync } from 'node:fs';
import type { DefaultsFile } from '../config/coefficients.ts';
import { InputError } from '../errors.ts';
import {
  type DistributionLengths,
  distributionRequests,
  validateDistributionParams,
} from '../workload/distribution.ts';
import { generateFromSpec, type SpecOptions } from '../workload/spec.ts';
import { parseWorkloadSpecYaml } from '../workload/spec-schema.ts';
import { parseTraceCsv } from '../workload/traces.ts';
import type { RequestSource } from '../workload/types.ts';
import type { FlagReader } from './run-flags.ts';

export interface RunWorkload {
  source: RequestSource;
  /** The simulation horizon in µs (a workload spec's own horizon may set it). */
  horizon: number;
}

/** The request stream of `blis-eval run`: --workload-spec, else --workload (reference §7). */
/** `defaults` gives the coefficient table of --defaults-filepath, whose presets --workload names. */
export function runWorkload(f: FlagReader, horizon: number, defaults: () => DefaultsFile): RunWorkload {
  if (f.str('workload-spec')) return specWorkload(f, horizon);
  return { source: namedWorkload(f, horizon, defaults), horizon };
}

/**
 * BLIS v0.6.1's --workload-spec (§7.4): it overrides --workload; --seed, --horizon and
 * --num-requests replace the spec's seed, horizon and num_requests only when given
 * explicitly; the spec's horizon (> 0) also becomes the simulation horizon.
 */
function specWorkload(f: FlagReader, flagHorizon: number): RunWorkload {
  const path = f.str('workload-spec');
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (err) {
    throw new InputError(`--workload-spec: cannot read ${path} (${(err as NodeJS.ErrnoException).code})`);
  }
  // Errors from here on name the file (and the line or field).
  const spec = parseWorkloadSpecYaml(text, path);
  const options: SpecOptions = {};
  if (f.given('seed')) options.seed = f.num('seed');
  if (f.given('num-requests')) {
    if (f.num('num-requests') < 0)
      throw new InputError(`--num-requests must be >= 0, got ${f.num('num-requests')}`);
    options.numRequests = f.num('num-requests');
  }
  let horizon = flagHorizon;
  if (f.given('horizon')) options.horizon = flagHorizon;
  else if (spec.horizon > 0) horizon = spec.horizon;
  return { source: generateFromSpec(spec, options, path), horizon };
}

function namedWorkload(f: FlagReader, horizon: number, defaults: () => DefaultsFile): RequestSource {
  const name = f.str('workload');
  if (name === 'traces') {
    const path = f.str('workload-traces-filepath');
    if (!path) throw new InputError('--workload traces needs --workload-traces-filepath');
    let text: string;
    try {
      text = readFileSync(path, 'utf8');
    } catch {
      throw new InputError(`--workload-traces-filepath: cannot read ${path}`);
    }
    return parseTraceCsv(text, { horizon, source: path });
  }
  let lengths: DistributionLengths;
  if (name === 'distribution') {
    lengths = {
      prefixTokens: f.num('prefix-tokens'),
      promptTokens: f.num('prompt-tokens'),
      promptTokensStdev: f.num('prompt-tokens-stdev'),
      promptTokensMin: f.num('prompt-tokens-min'),
      promptTokensMax: f.num('prompt-tokens-max'),
      outputTokens: f.num('output-tokens'),
      outputTokensStdev: f.num('output-tokens-stdev'),
      outputTokensMin: f.num('output-tokens-min'),
      outputTokensMax: f.num('output-tokens-max'),
    };
  } else {
    const preset = defaults().workloads[name];
    if (!preset)
      throw new InputError(`--workload: unknown workload "${name}" (distribution, traces, or a preset)`);
    lengths = {
      prefixTokens: preset.prefix_tokens ?? 0,
      promptTokens: preset.prompt_tokens,
      promptTokensStdev: preset.prompt_tokens_stdev,
      promptTokensMin: preset.prompt_tokens_min,
      promptTokensMax: preset.prompt_tokens_max,
      outputTokens: preset.output_tokens,
      outputTokensStdev: preset.output_tokens_stdev,
      outputTokensMin: preset.output_tokens_min,
      outputTokensMax: preset.output_tokens_max,
    };
  }
  const params = { ...lengths, rate: f.num('rate'), numRequests: f.num('num-requests'), horizon };
  validateDistributionParams(params);
  const seed = f.num('seed');
  return { [Symbol.iterator]: () => distributionRequests(params, seed) };
}
