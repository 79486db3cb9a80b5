import { describe, expect, it } from 'vitest';
import { createAdmission } from '../../src/sim/admission.ts';
import type { InstanceSnapshot } from '../../src/sim/router-state.ts';
import { createRouter, parseScorers } from '../../src/sim/routing.ts';
import { req, tokens } from '../support/requests.ts';

const snap = (loads: number[], util: number[] = loads.map(() => 0)): InstanceSnapshot[] =>
  loads.map((l, i) => ({
    index: i,
    id: `instance_${i}`,
    queueDepth: l,
    batchSize: 0,
    kvUtilization: util[i]!,
    freeKVBlocks: 100,
    cacheHitRate: 0,
    pendingRequests: 0,
  }));

describe('admission', () => {
  it('token bucket starts full, charges input tokens and refills per µs', () => {
    const tb = createAdmission({
      policy: 'token-bucket',
      tokenBucketCapacity: 100,
      tokenBucketRefillRate: 1000,
    });
    expect(tb.admit(60, 0).admitted).toBe(true);
    expect(tb.admit(60, 0).admitted).toBe(false);
    // 20 ms later: +20 tokens → 60 available.
    expect(tb.admit(60, 20_000).admitted).toBe(true);
    expect(tb.admit(1, 20_000).admitted).toBe(false);
  });

  it('reject-all rejects and always-admit admits', () => {
    expect(
      createAdmission({ policy: 'reject-all', tokenBucketCapacity: 1, tokenBucketRefillRate: 1 }).admit(1, 0),
    ).toMatchObject({
      admitted: false,
    });
    expect(
      createAdmission({ policy: 'always-admit', tokenBucketCapacity: 1, tokenBucketRefillRate: 1 }).admit(
        1e9,
        0,
      ),
    ).toMatchObject({
      admitted: true,
    });
  });
});

describe('routing', () => {
  const r = () => req(tokens(40), [1]);

  it('round-robin cycles', () => {
    const rr = createRouter('round-robin', 3, 16, []);
    expect([0, 1, 2, 3].map(() => rr.route(r(), snap([0, 0, 0])).target)).toEqual([0, 1, 2, 0]);
  });

  it('least-loaded and always-busiest pick the first index on ties', () => {
    expect(createRouter('least-loaded', 3, 16, []).route(r(), snap([2, 1, 1])).target).toBe(1);
    expect(createRouter('always-busiest', 3, 16, []).route(r(), snap([1, 3, 3])).target).toBe(1);
  });

  it('prefix-affinity sticks to the first instance chosen for a prefix', () => {
    const pa = createRouter('prefix-affinity', 2, 16, []);
    expect(pa.route(r(), snap([1, 0])).target).toBe(1);
    expect(pa.route(r(), snap([0, 9])).target).toBe(1);
  });

  it('weighted scoring clamps, normalises weights and prefers cached prefixes', () => {
    const w = createRouter('weighted', 2, 16, parseScorers('prefix-affinity:3,queue-depth:1'));
    const first = w.route(r(), snap([0, 0]));
    expect(first.target).toBe(0);
    // Same prefix again: instance 0 holds it, so it wins despite a higher load.
    const second = w.route(r(), snap([1, 0]));
    expect(second.target).toBe(0);
    expect(second.scores![0]).toBeCloseTo(0.75, 12);
    expect(second.scores![1]).toBeCloseTo(0.25, 12);
  });

  it('rejects bad scorer specs with the flag named', () => {
    expect(() => parseScorers('queue-depth:0')).toThrow(/--routing-scorers/);
    expect(() => parseScorers('queue-depth:1,queue-depth:2')).toThrow(/twice/);
    expect(() => parseScorers('nope:1')).toThrow(/unknown scorer/);
  });
});
