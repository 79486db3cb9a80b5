/**
 * Request generation from a workload spec (BLIS v0.6.1 GenerateRequests, reference
 * §7.4): inference-perf expansion, validation, per-client rates, shared prefixes per
 * group, one Go generator per client seeded from the "workload-gen" subsystem, then a
 * stable merge by arrival, truncation and `request_<i>` IDs. Generation is lazy: the
 * merge pulls each client only as far as the output needs.
 */
import { InputError } from '../errors.ts';
import { PartitionedRNG } from '../sim/rng.ts';
import { clientRequests } from './client-stream.ts';
import { randomTokens } from './distribution.ts';
import { expandInferencePerf } from './inference-perf.ts';
import { mergeByKey } from './merge.ts';
import { parseWorkloadSpecYaml, type WorkloadSpec } from './spec-schema.ts';
import { validateWorkloadSpec } from './spec-validate.ts';
import type { RequestSource, WorkloadRequest } from './types.ts';

export const SUBSYSTEM_WORKLOAD_GEN = 'workload-gen';
/** Prefix length of a group whose first client gives none. */
export const DEFAULT_PREFIX_LENGTH = 50;

/** CLI-style overrides: each one, when given, replaces the spec's own value. */
export interface SpecOptions {
  /** `--seed` given explicitly. */
  seed?: bigint | number;
  /** `--horizon` given explicitly, µs. */
  horizon?: number;
  /** `--num-requests` given explicitly; 0 = no cap. */
  numRequests?: number;
  /** Set `stage` from the lifecycle window of each arrival (inference-perf stages). */
  stageFromWindows?: boolean;
}

/** Parses YAML text and returns the request stream it describes. */
export function requestsFromSpecYaml(
  text: string,
  options: SpecOptions = {},
  source = 'workload spec',
): RequestSource {
  return generateFromSpec(parseWorkloadSpecYaml(text, source), options, source);
}

/**
 * Validates eagerly (errors are thrown here, not while iterating) and returns the
 * lazy stream. The spec object is not modified.
 */
export function generateFromSpec(
  input: WorkloadSpec,
  options: SpecOptions = {},
  source = 'workload spec',
): RequestSource {
  const spec: WorkloadSpec = { ...input, clients: [...input.clients] };
  const seed = options.seed ?? spec.seed;
  if (spec.inference_perf !== undefined && spec.clients.length === 0) {
    const expanded = expandInferencePerf(spec.inference_perf, source);
    spec.clients = expanded.clients;
    if (spec.category === '') spec.category = expanded.category;
    if (spec.aggregate_rate <= 0) spec.aggregate_rate = expanded.aggregateRate;
  }
  if (spec.servegen_data !== undefined && spec.clients.length === 0) {
    throw new InputError(
      `${source}: servegen_data: loading ServeGen files is not supported; list clients instead`,
    );
  }
  validateWorkloadSpec(spec, source);

  const horizon = options.horizon ?? (spec.horizon > 0 ? spec.horizon : Number.POSITIVE_INFINITY);
  const maxRequests = options.numRequests ?? spec.num_requests;
  if (maxRequests < 0)
    throw new InputError(`${source}: num_requests must be non-negative, got ${maxRequests}`);
  if (maxRequests === 0 && horizon === Number.POSITIVE_INFINITY) {
    throw new InputError(`${source}: needs num_requests or horizon (or --num-requests / --horizon)`);
  }
  if (horizon <= 0) return [];

  const rng = new PartitionedRNG(seed).forSubsystem(SUBSYSTEM_WORKLOAD_GEN);
  const total = spec.clients.reduce((sum, c) => sum + c.rate_fraction, 0);
  const prefixes = new Map<string, Int32Array>();
  for (const c of spec.clients) {
    if (c.prefix_group === '' || prefixes.has(c.prefix_group)) continue;
    // The group's first client decides the length, even when a later one gives it.
    const length = c.prefix_length > 0 ? c.prefix_length : DEFAULT_PREFIX_LENGTH;
    prefixes.set(c.prefix_group, randomTokens(rng, length));
  }
  const streams: Iterable<WorkloadRequest>[] = [];
  spec.clients.forEach((client, i) => {
    const ratePerUs = total === 0 ? 0 : (spec.aggregate_rate * (client.rate_fraction / total)) / 1e6;
    if (ratePerUs <= 0) return;
    streams.push(
      clientRequests({
        client,
        where: `clients[${i}]`,
        ratePerUs,
        seed: rng.int63(),
        prefix: prefixes.get(client.prefix_group) ?? new Int32Array(0),
        horizon,
        cap: maxRequests > 0 ? 2 * maxRequests : 0,
        stageFromWindows: options.stageFromWindows ?? false,
      }),
    );
  });
  return numbered(
    mergeByKey(streams, (r) => r.arrival),
    maxRequests,
  );
}

function* numbered(merged: Iterable<WorkloadRequest>, maxRequests: number): Generator<WorkloadRequest> {
  let i = 0;
  for (const req of merged) {
    req.id = `request_${i++}`;
    yield req;
    // Stop before pulling another request from the merge.
    if (maxRequests > 0 && i >= maxRequests) return;
  }
}
