import { describe, expect, it } from 'vitest';
import { runCluster } from '../../src/sim/cluster.ts';
import type { RequestRecord } from '../../src/sim/request-log.ts';
import { GoRand } from '../../src/sim/rng.ts';
import { type ClientLimit, closedLoop } from '../../src/workload/closed-loop.ts';
import type { DistributionParams } from '../../src/workload/distribution.ts';
import { baseCluster, blackbox, source } from '../support/sim.ts';

const model = blackbox([200, 1.5, 3000], [5000, 17, 6]);
const ROUTERS = ['round-robin', 'least-loaded', 'weighted', 'always-busiest'] as const;

function randomCase(r: GoRand) {
  const promptMin = 1 + r.intn(50);
  const outMin = 1 + r.intn(5);
  const promptMax = promptMin + 10 + r.intn(600);
  const outMax = outMin + 5 + r.intn(300);
  const params: DistributionParams = {
    rate: 1 + r.intn(80),
    numRequests: 20 + r.intn(100),
    prefixTokens: r.intn(2) ? r.intn(200) : 0,
    promptTokens: Math.floor((promptMin + promptMax) / 2),
    promptTokensStdev: promptMin,
    promptTokensMin: promptMin,
    promptTokensMax: promptMax,
    outputTokens: Math.floor((outMin + outMax) / 2),
    outputTokensStdev: outMin,
    outputTokensMin: outMin,
    outputTokensMax: outMax,
  };
  const cfg = baseCluster({
    numInstances: 1 + r.intn(3),
    maxScheduledTokens: 64 + r.intn(2000),
    maxRunningReqs: 2 + r.intn(60),
    routingPolicy: ROUTERS[r.intn(ROUTERS.length)]!,
    kvLeak: 'fixed',
  });
  const limit: ClientLimit = { maxConcurrency: 1 + r.intn(12), paced: r.intn(2) === 1 };
  return { params, cfg, limit };
}

/** Requests in flight just before `t`: sent before it, not finished before it. */
const inFlightBefore = (reqs: RequestRecord[], t: number) =>
  reqs.filter((q) => q.arrival < t && q.arrival + q.e2e >= t).length;

describe('closed loop in the simulator (random workloads and clusters)', () => {
  const r = new GoRand(11);
  for (let trial = 0; trial < 20; trial++) {
    const { params, cfg, limit } = randomCase(r);
    const seed = trial + 1;
    it(`trial ${trial}: ≤ ${limit.maxConcurrency} in flight; each send at its time or at a completion (${limit.paced ? 'paced' : 'unpaced'})`, () => {
      const schedule = [...source(params, seed)].map((w) => (limit.paced ? w.arrival : 0));
      const res = runCluster(cfg, model, closedLoop(source(params, seed), limit));
      const reqs = res.instances.flatMap((i) => i.log.records()).sort((a, b) => idx(a) - idx(b));
      expect(reqs.length).toBe(params.numRequests);
      expect(reqs.every((q) => q.completed)).toBe(true);
      const leave = reqs.map((q) => q.arrival + q.e2e);
      reqs.forEach((q, i) => {
        const t = q.arrival;
        // First come, first served, never before the schedule.
        if (i > 0) expect(t).toBeGreaterThanOrEqual(reqs[i - 1]!.arrival);
        expect(t).toBeGreaterThanOrEqual(schedule[i]!);
        // The limit holds at every send (sends are the only moments the count rises).
        const earlier = leave.slice(0, i);
        expect(earlier.filter((l) => l > t).length).toBeLessThan(limit.maxConcurrency);
        // Late only because the limit was reached: sent the moment one of them finished.
        if (t > schedule[i]!) {
          expect(earlier.filter((l) => l >= t).length).toBeGreaterThanOrEqual(limit.maxConcurrency);
          expect(earlier).toContain(t);
        }
      });
    });
  }

  it('without a limit the same workload overlaps more than the limit would allow', () => {
    const params = randomCase(new GoRand(3)).params;
    const burst = { ...params, rate: 1e6, numRequests: 40 };
    const open = runCluster(baseCluster(), model, source(burst, 1));
    const loop = runCluster(
      baseCluster(),
      model,
      closedLoop(source(burst, 1), { maxConcurrency: 3, paced: false }),
    );
    const peak = (reqs: RequestRecord[]) => Math.max(...reqs.map((q) => inFlightBefore(reqs, q.arrival + 1)));
    expect(peak(open.instances[0]!.log.records())).toBeGreaterThan(3);
    expect(peak(loop.instances[0]!.log.records())).toBeLessThanOrEqual(3);
  });
});

const idx = (q: RequestRecord) => Number(q.id.slice('request_'.length));
