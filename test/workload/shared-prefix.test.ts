import { describe, expect, it } from 'vitest';
import { InputError } from '../../src/errors.ts';
import {
  inferencePerfProfileRequests,
  parseExecutedSharedPrefix,
  parseInferencePerfProfile,
  sharedPrefixRequests,
} from '../../src/workload/shared-prefix.ts';
import { stageCounts } from '../../src/workload/stage-arrivals.ts';
import type { WorkloadRequest } from '../../src/workload/types.ts';

/** Shapes as in ground_truth/dev.json (llama-2-7b codegen experiment). */
const RESOLVED = {
  shared_prefix: {
    num_groups: 10,
    num_prompts_per_group: 10,
    system_prompt_len: 100,
    question_len: 466,
    output_len: 247,
  },
  load_type: 'constant',
  stages: [
    { rate: 5.0, duration: 600 },
    { rate: 10.0, duration: 600 },
  ],
  num_workers: 224,
  worker_max_concurrency: 100,
};
const PROFILE = {
  shared_prefix: {
    enable_multi_turn_chat: true,
    num_unique_system_prompts: 11,
    num_users_per_system_prompt: 4,
    output_len: 247,
    question_len: 466,
    system_prompt_len: 100,
  },
  stages: [
    { duration: 600, rate: 5 },
    { duration: 600, rate: 10 },
  ],
};

const key = (a: Int32Array) => Array.from(a).join(',');
const take = <T>(it: Iterable<T>, n: number): T[] => {
  const out: T[] = [];
  for (const x of it) {
    if (out.length === n) break;
    out.push(x);
  }
  return out;
};

describe('executed shared-prefix replay', () => {
  const exp = parseExecutedSharedPrefix(RESOLVED);

  it('sends round(rate × duration) evenly spaced requests per stage', () => {
    expect(stageCounts(exp)).toEqual([3000, 6000]);
    const reqs = [...sharedPrefixRequests(exp, 42)];
    expect(reqs.length).toBe(9000);
    expect(reqs.slice(0, 3).map((r) => [r.id, r.arrival, r.stage])).toEqual([
      ['request_0', 0, 0],
      ['request_1', 200_000, 0],
      ['request_2', 400_000, 0],
    ]);
    expect([reqs[2999]!.arrival, reqs[3000]!.arrival, reqs[3001]!.arrival]).toEqual([
      599_800_000, 600_000_000, 600_100_000,
    ]);
    expect(reqs[3000]!.stage).toBe(1);
    expect(reqs.at(-1)!.arrival).toBe(1_199_900_000);
  });

  it('draws prompts from 10 groups × 10 questions sharing each group’s system prompt', () => {
    const reqs = [...sharedPrefixRequests(exp, 42)];
    // A few tokens identify a prompt (random IDs out of 128000 do not collide here).
    const promptOf = (r: WorkloadRequest) =>
      `${key(r.input.subarray(0, 4))}|${key(r.input.subarray(100, 104))}`;
    const prompts = new Set(reqs.map(promptOf));
    const systems = new Set(reqs.map((r) => key(r.input.subarray(0, 4))));
    for (const r of reqs.slice(0, 200)) {
      expect(key(r.input.subarray(4, 100))).toBe(
        key(reqs.find((q) => promptOf(q) === promptOf(r))!.input.subarray(4, 100)),
      );
    }
    expect(prompts.size).toBe(100);
    expect(systems.size).toBe(10);
    for (const r of reqs.slice(0, 50)) {
      expect(r.input.length).toBe(566);
      expect(r.output.length).toBe(247);
    }
    // Uniform picks: every prompt is used roughly 90 times.
    const uses = new Map<string, number>();
    for (const r of reqs) uses.set(promptOf(r), (uses.get(promptOf(r)) ?? 0) + 1);
    expect(Math.min(...uses.values())).toBeGreaterThan(50);
    expect(Math.max(...uses.values())).toBeLessThan(140);
  });

  it('is deterministic per seed and gives each request its own arrays', () => {
    const a = take(sharedPrefixRequests(exp, 1), 100);
    const b = take(sharedPrefixRequests(exp, 1), 100);
    expect(a).toEqual(b);
    expect(take(sharedPrefixRequests(exp, 2), 100)).not.toEqual(a);
    const same = a.filter((r) => key(r.input) === key(a[0]!.input));
    if (same.length > 1) expect(same[0]!.input).not.toBe(same[1]!.input);
  });

  it('rejects bad shapes naming the field', () => {
    const bad = (value: unknown, field: string) => {
      expect(() => parseExecutedSharedPrefix(value, 'exp7')).toThrow(InputError);
      expect(() => parseExecutedSharedPrefix(value, 'exp7')).toThrow(field);
    };
    bad({ ...RESOLVED, load_type: 'concurrent' }, 'load_type');
    bad({ ...RESOLVED, stages: [] }, 'stages');
    bad(
      { ...RESOLVED, shared_prefix: { ...RESOLVED.shared_prefix, num_groups: 0 } },
      'shared_prefix.num_groups',
    );
  });
});

describe('profile replay (BLIS workload-spec expansion)', () => {
  it('expands multi-turn profiles into 5-round sessions tagged with their stage', () => {
    const reqs: WorkloadRequest[] = [
      ...inferencePerfProfileRequests(parseInferencePerfProfile(PROFILE), 42, { numRequests: 3000 }),
    ];
    expect(reqs.length).toBe(3000);
    expect(reqs.every((r) => r.sessionId !== undefined && r.stage === 0)).toBe(true);
    // v0.6.1: reasoning rounds carry no system prompt; round 0 is the bare question.
    expect(Math.min(...reqs.map((r) => r.input.length))).toBe(466);
  });

  it('tags single-turn requests with the stage of their window', () => {
    const single = parseInferencePerfProfile({
      ...PROFILE,
      shared_prefix: { ...PROFILE.shared_prefix, enable_multi_turn_chat: false },
    });
    const reqs = [...inferencePerfProfileRequests(single, 42)];
    for (const r of reqs) {
      expect(r.stage).toBe(r.arrival < 600_000_000 ? 0 : 1);
      expect(r.input.length).toBe(566);
    }
    // BLIS v0.6.1 runs every stage at the duration-weighted mean rate (7.5 req/s).
    expect(reqs.length / 1200).toBeCloseTo(7.5, 0);
    const oneStage = { ...single, stages: [{ duration: 60, rate: 2 }] };
    expect(new Set([...inferencePerfProfileRequests(oneStage, 1)].map((r) => r.stage))).toEqual(new Set([0]));
  });

  it('rejects unknown profile keys naming them', () => {
    expect(() => parseInferencePerfProfile({ ...PROFILE, load: 1 })).toThrow(/inference_perf.*load/);
  });
});
