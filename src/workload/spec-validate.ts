/**
 * The semantic checks BLIS v0.6.1 applies to a workload spec after the inference-perf
 * expansion (WorkloadSpec.Validate, v1 names), as InputErrors naming the field.
 */
import { InputError } from '../errors.ts';
import type { ClientSpec, DistSpec, WorkloadSpec } from './spec-schema.ts';

export const CATEGORIES = ['', 'language', 'multimodal', 'reasoning'] as const;
export const SLO_CLASSES = ['', 'realtime', 'interactive', 'batch'] as const;
export const ARRIVAL_PROCESSES = ['poisson', 'gamma', 'weibull'] as const;
export const DIST_TYPES = ['gaussian', 'exponential', 'pareto_lognormal', 'empirical', 'constant'] as const;

const oneOf = (values: readonly string[], v: string): boolean => values.includes(v);
const list = (values: readonly string[]): string => values.map((v) => (v === '' ? '""' : v)).join(', ');

export function validateWorkloadSpec(spec: WorkloadSpec, source: string): void {
  const fail = (field: string, msg: string): never => {
    throw new InputError(`${source}: ${field}: ${msg}`);
  };
  if (!oneOf(CATEGORIES, spec.category)) {
    fail('category', `unknown category "${spec.category}"; valid: ${list(CATEGORIES)}`);
  }
  if (!(spec.aggregate_rate > 0)) fail('aggregate_rate', `must be positive, got ${spec.aggregate_rate}`);
  if (spec.clients.length === 0) fail('clients', 'at least one client (or inference_perf) is required');
  spec.clients.forEach((c, i) => {
    validateClient(c, `clients[${i}]`, fail);
  });
}

function validateClient(c: ClientSpec, where: string, fail: (field: string, msg: string) => never): void {
  if (!oneOf(SLO_CLASSES, c.slo_class)) {
    fail(`${where}.slo_class`, `unknown slo_class "${c.slo_class}"; valid: ${list(SLO_CLASSES)}`);
  }
  if (!(c.rate_fraction > 0)) fail(`${where}.rate_fraction`, `must be positive, got ${c.rate_fraction}`);
  if (!oneOf(ARRIVAL_PROCESSES, c.arrival.process)) {
    fail(
      `${where}.arrival.process`,
      `unknown arrival process "${c.arrival.process}"; valid: ${list(ARRIVAL_PROCESSES)}`,
    );
  }
  const cv = c.arrival.cv;
  if (cv !== undefined) {
    if (!(cv > 0)) fail(`${where}.arrival.cv`, `must be positive, got ${cv}`);
    if (c.arrival.process === 'weibull' && (cv < 0.01 || cv > 10.4)) {
      fail(`${where}.arrival.cv`, `weibull cv must be in [0.01, 10.4], got ${cv}`);
    }
  }
  if (c.prefix_length < 0) fail(`${where}.prefix_length`, `must be non-negative, got ${c.prefix_length}`);
  validateDist(c.input_distribution, `${where}.input_distribution`, fail);
  validateDist(c.output_distribution, `${where}.output_distribution`, fail);
  const mt = c.reasoning?.multi_turn;
  // Not checked by BLIS; a negative think time would make rounds arrive out of order.
  if (mt !== undefined && mt.think_time_us < 0) {
    fail(`${where}.reasoning.multi_turn.think_time_us`, `must be non-negative, got ${mt.think_time_us}`);
  }
}

function validateDist(d: DistSpec, where: string, fail: (field: string, msg: string) => never): void {
  if (!oneOf(DIST_TYPES, d.type))
    fail(`${where}.type`, `unknown distribution type "${d.type}"; valid: ${list(DIST_TYPES)}`);
  for (const [name, v] of Object.entries(d.params)) {
    if (!Number.isFinite(v)) fail(`${where}.params.${name}`, `must be a finite number, got ${v}`);
  }
}
