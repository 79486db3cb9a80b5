import { describe, expect, it } from 'vitest';
import { InputError } from '../../src/errors.ts';
import { expandInferencePerf } from '../../src/workload/inference-perf.ts';
import { mergeByKey } from '../../src/workload/merge.ts';
import { requestsFromSpecYaml, type SpecOptions } from '../../src/workload/spec.ts';
import { parseWorkloadSpecYaml } from '../../src/workload/spec-schema.ts';
import type { WorkloadRequest } from '../../src/workload/types.ts';

const client = (extra: string) => `
  - id: c
    rate_fraction: 1
    arrival: {process: poisson}
    input_distribution: {type: constant, params: {value: 40}}
    output_distribution: {type: constant, params: {value: 30}}
${extra}`;

const MIXED = `
version: "1"
seed: 7
aggregate_rate: 20
num_requests: 400
clients:
  - id: a
    tenant_id: t1
    rate_fraction: 0.7
    slo_class: interactive
    arrival: {process: gamma, cv: 2}
    input_distribution: {type: gaussian, params: {mean: 100, std_dev: 20, min: 10, max: 200}}
    output_distribution: {type: exponential, params: {mean: 50}}
    prefix_group: g1
    prefix_length: 32
  - id: b
    rate_fraction: 0.3
    arrival: {process: weibull, cv: 0.5}
    input_distribution: {type: empirical, params: {"10": 0.5, "20": 0.5}}
    output_distribution: {type: constant, params: {value: 5}}
    prefix_group: g1
  - id: c
    rate_fraction: 0.2
    arrival: {process: poisson}
    input_distribution: {type: constant, params: {value: 40}}
    output_distribution: {type: constant, params: {value: 30}}
    reasoning:
      reason_ratio_distribution: {type: gaussian, params: {mean: 50, std_dev: 10, min: 0, max: 100}}
      multi_turn: {max_rounds: 3, think_time_us: 1000000, context_growth: accumulate}
`;

const gen = (yaml: string, options: SpecOptions = {}) => [...requestsFromSpecYaml(yaml, options, 'w.yaml')];

const errorOf = (fn: () => unknown): string => {
  try {
    fn();
  } catch (err) {
    expect(err).toBeInstanceOf(InputError);
    return (err as Error).message;
  }
  throw new Error('expected an InputError');
};

describe('workload spec: parsing and validation', () => {
  it('names the field of a schema error', () => {
    const base = `aggregate_rate: 1\nnum_requests: 5\nclients:`;
    expect(errorOf(() => parseWorkloadSpecYaml(`${base}${client('    arival: 1')}`, 'w.yaml'))).toMatch(
      /w\.yaml: clients\[0\].*arival/,
    );
    expect(errorOf(() => parseWorkloadSpecYaml(`${base}${client('    prefix_length: 1.5')}`))).toContain(
      'clients[0].prefix_length',
    );
    expect(errorOf(() => parseWorkloadSpecYaml('seed: x\n'))).toContain('seed');
    expect(errorOf(() => parseWorkloadSpecYaml('clients: [\n', 'w.yaml'))).toMatch(
      /w\.yaml line \d+: invalid YAML/,
    );
  });

  it('names the field of a semantic error', () => {
    const base = `aggregate_rate: 1\nnum_requests: 5\nclients:`;
    const bad = (extra: string, field: string) =>
      expect(errorOf(() => gen(`${base}${client(extra)}`))).toContain(field);
    bad('    slo_class: critical', 'clients[0].slo_class');
    bad('    prefix_length: -1', 'clients[0].prefix_length');
    bad('    multimodal: {text_distribution: {type: uniform}}', 'clients[0].multimodal.text_distribution');
    expect(errorOf(() => gen(MIXED.replace('process: gamma', 'process: burst')))).toContain(
      'clients[0].arrival.process',
    );
    expect(errorOf(() => gen(MIXED.replace('cv: 0.5', 'cv: 11')))).toContain('clients[1].arrival.cv');
    expect(errorOf(() => gen(MIXED.replace('type: exponential', 'type: zipf')))).toContain(
      'clients[0].output_distribution.type',
    );
    expect(errorOf(() => gen(MIXED.replace('std_dev: 20, ', '')))).toMatch(
      /clients\[0\]\.input_distribution.*std_dev/,
    );
    expect(errorOf(() => gen(MIXED.replace('aggregate_rate: 20', 'aggregate_rate: 0')))).toContain(
      'aggregate_rate',
    );
  });

  it('needs a request count or a horizon, from the spec or the options', () => {
    const noLimit = MIXED.replace('num_requests: 400', '');
    expect(errorOf(() => gen(noLimit))).toContain('num_requests or horizon');
    expect(gen(noLimit, { horizon: 2_000_000 }).length).toBeGreaterThan(0);
    expect(gen(`${noLimit}\nhorizon: 1000000\n`).every((r) => r.arrival < 1_000_000 + 3_000_000)).toBe(true);
  });
});

describe('workload spec: generation', () => {
  it('is deterministic, ordered, numbered and truncated to num_requests', () => {
    const a = gen(MIXED);
    expect(gen(MIXED)).toEqual(a);
    expect(a.length).toBe(400);
    a.forEach((r, i) => {
      expect(r.id).toBe(`request_${i}`);
      if (i > 0) expect(r.arrival).toBeGreaterThanOrEqual(a[i - 1]!.arrival);
    });
    expect(gen(MIXED, { numRequests: 50 })).toEqual(a.slice(0, 50));
    expect(gen(MIXED, { seed: 8 })).not.toEqual(a);
    expect(gen(MIXED.replace('seed: 7', 'seed: 8'))).toEqual(gen(MIXED, { seed: 8 }));
  });

  it('shares one prefix per group, sized by the group’s first client', () => {
    const reqs = gen(MIXED).filter((r) => r.sessionId === undefined);
    const prefix = Array.from(reqs[0]!.input.subarray(0, 32));
    for (const r of reqs) expect(Array.from(r.input.subarray(0, 32))).toEqual(prefix);
    // Client b (inputs of 10 or 20 tokens) inherits the 32-token prefix of group g1.
    const lengths = new Set(reqs.filter((r) => r.tenantId === undefined).map((r) => r.input.length));
    expect([...lengths].sort()).toEqual([42, 52]);
    const defaultLength = gen(MIXED.replace('    prefix_length: 32\n', ''));
    const clientB = defaultLength.filter((r) => r.tenantId === undefined && r.sessionId === undefined);
    expect(new Set(clientB.map((r) => r.input.length))).toEqual(new Set([60, 70]));
  });

  it('builds accumulated multi-turn sessions', () => {
    const sessions = new Map<string, WorkloadRequest[]>();
    for (const r of gen(MIXED)) {
      if (r.sessionId !== undefined) sessions.set(r.sessionId, [...(sessions.get(r.sessionId) ?? []), r]);
    }
    const full = [...sessions.values()].filter((s) => s.length === 3);
    expect(full.length).toBeGreaterThan(0);
    for (const [r0, r1, r2] of full as [WorkloadRequest, WorkloadRequest, WorkloadRequest][]) {
      expect(r0.input.length).toBe(40);
      expect(r1.input.length).toBe(40 + 30 + 40);
      expect(r2.input.length).toBe(2 * 70 + 40);
      expect(Array.from(r1.input)).toEqual([...r0.input, ...r0.output, ...r1.input.subarray(70)]);
      expect(Array.from(r2.input.subarray(0, 110))).toEqual(Array.from(r1.input));
      expect(r1.arrival - r0.arrival).toBe(1_000_000 + 30);
      expect(r0.sessionId).toMatch(/^sess_\d+$/);
    }
  });

  it('keeps standard requests inside lifecycle windows', () => {
    const yaml = `aggregate_rate: 100\nhorizon: 10000000\nclients:${client(
      '    lifecycle: {windows: [{start_us: 1000000, end_us: 2000000}, {start_us: 5000000, end_us: 6000000}]}',
    )}`;
    const reqs = gen(yaml);
    expect(reqs.length).toBeGreaterThan(100);
    for (const r of reqs)
      expect((r.arrival >= 1e6 && r.arrival < 2e6) || (r.arrival >= 5e6 && r.arrival < 6e6)).toBe(true);
    expect(gen(yaml, { stageFromWindows: true }).map((r) => r.stage)).toEqual(
      reqs.map((r) => (r.arrival < 2e6 ? 0 : 1)),
    );
  });

  it('sums multimodal parts into one token list', () => {
    const mm = `    multimodal:
      text_distribution: {type: constant, params: {value: 10}}
      image_distribution: {type: constant, params: {value: 100}}
      image_count_distribution: {type: constant, params: {value: 3}}
      audio_distribution: {type: constant, params: {value: 7}}`;
    const reqs = gen(`aggregate_rate: 10\nnum_requests: 5\nclients:${client(mm)}`);
    expect(reqs.map((r) => r.input.length)).toEqual([310, 310, 310, 310, 310]);
  });

  it('splits the aggregate rate by normalised fractions', () => {
    const two = `aggregate_rate: 100\nhorizon: 100000000\nclients:${client('    tenant_id: x')}${client(
      '    tenant_id: y',
    ).replace('rate_fraction: 1', 'rate_fraction: 3')}`;
    const reqs = gen(two);
    const x = reqs.filter((r) => r.tenantId === 'x').length;
    expect(reqs.length / 100).toBeCloseTo(100, -1);
    expect(x / reqs.length).toBeCloseTo(0.25, 1);
  });
});

describe('inference_perf expansion (BLIS reading of a profile)', () => {
  const profile = {
    stages: [
      { rate: 5, duration: 600 },
      { rate: 10, duration: 600 },
    ],
    shared_prefix: {
      num_unique_system_prompts: 11,
      num_users_per_system_prompt: 4,
      system_prompt_len: 100,
      question_len: 466,
      output_len: 247,
      enable_multi_turn_chat: true,
    },
  };

  it('makes N·M Poisson clients with prefix groups, stage windows and multi-turn', () => {
    const e = expandInferencePerf(profile);
    expect(e.aggregateRate).toBe(7.5);
    expect(e.category).toBe('reasoning');
    expect(e.clients.length).toBe(44);
    expect(e.clients[5]).toMatchObject({
      id: 'prompt-1-user-1',
      tenant_id: 'prompt-1',
      prefix_group: 'prompt-1',
      prefix_length: 100,
      slo_class: 'batch',
      rate_fraction: 1 / 44,
      lifecycle: {
        windows: [
          { start_us: 0, end_us: 600_000_000 },
          { start_us: 600_000_000, end_us: 1_200_000_000 },
        ],
      },
      reasoning: { multi_turn: { max_rounds: 5, think_time_us: 500_000, context_growth: 'accumulate' } },
    });
    expect(
      expandInferencePerf({ ...profile, stages: [{ rate: 4, duration: 60 }] }).clients[0]!.lifecycle,
    ).toBeUndefined();
  });

  it('rejects a profile without stages or prompts, naming the field', () => {
    expect(errorOf(() => expandInferencePerf({ ...profile, stages: [] }))).toContain('inference_perf.stages');
    expect(
      errorOf(() =>
        expandInferencePerf({
          ...profile,
          shared_prefix: { ...profile.shared_prefix, num_unique_system_prompts: 0 },
        }),
      ),
    ).toContain('num_unique_system_prompts');
  });

  it('generates from a YAML spec holding only inference_perf', () => {
    const yaml = `seed: 3
num_requests: 200
inference_perf:
  stages: [{rate: 20, duration: 60}]
  shared_prefix: {num_unique_system_prompts: 2, num_users_per_system_prompt: 3, system_prompt_len: 16, question_len: 8, output_len: 4}
`;
    const reqs = gen(yaml);
    expect(reqs.length).toBe(200);
    expect(new Set(reqs.map((r) => r.input.length))).toEqual(new Set([24]));
    expect(new Set(reqs.map((r) => r.tenantId))).toEqual(new Set(['prompt-0', 'prompt-1']));
    expect(reqs.at(-1)!.arrival / 1e6).toBeCloseTo(10, -1);
  });
});

describe('mergeByKey', () => {
  it('equals a stable sort of the concatenated streams', () => {
    let state = 12345;
    const rand = () => {
      state = (state * 1103515245 + 12345) % 2147483648;
      return state / 2147483648;
    };
    for (let trial = 0; trial < 20; trial++) {
      const streams = Array.from({ length: 5 }, (_, s) => {
        let t = 0;
        return Array.from({ length: Math.floor(rand() * 30) }, (_, i) => {
          t += Math.floor(rand() * 3);
          return { t, tag: `${s}:${i}` };
        });
      });
      const merged = [...mergeByKey(streams, (x) => x.t)].map((x) => x.tag);
      const sorted = streams
        .flat()
        .sort((a, b) => a.t - b.t)
        .map((x) => x.tag);
      expect(merged).toEqual(sorted);
    }
  });
});
