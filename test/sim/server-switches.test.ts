import { describe, expect, it } from 'vitest';
import { runCluster } from '../../src/sim/cluster.ts';
import { KVCache } from '../../src/sim/kv-cache.ts';
import { SimRequest } from '../../src/sim/request.ts';
import { BatchFormer } from '../../src/sim/scheduler.ts';
import { WaitQueue } from '../../src/sim/wait-queue.ts';
import type { WorkloadRequest } from '../../src/workload/types.ts';
import { baseCluster, blackbox } from '../support/sim.ts';

const model = blackbox([200, 1.5, 3000], [5000, 17, 6]);

const request = (i: number, arrival: number, input: Int32Array, out = 8): WorkloadRequest => ({
  id: `request_${i}`,
  arrival,
  input,
  output: new Int32Array(out).fill(7),
});

describe('vLLM switches the files state', () => {
  it('prefix caching off: no request reuses another’s blocks; on they do', () => {
    const prompt = Int32Array.from({ length: 256 }, (_, i) => i + 1);
    const reqs = () => [0, 1, 2, 3].map((i) => request(i, i * 1_000_000, prompt.slice()));
    const ttft = (prefixCaching: boolean) =>
      runCluster(baseCluster({ prefixCaching }), model, reqs())
        .instances[0]!.log.records()
        .map((q) => q.ttft);
    const [on, off] = [ttft(true), ttft(false)];
    // The same prompt again, long after the first finished: cached with caching on, not off.
    expect(on[3]!).toBeLessThan(on[0]!);
    expect(off).toEqual([off[0], off[0], off[0], off[0]]);
    expect(off[0]).toBe(on[0]);
  });

  it('chunked prefill off: a prompt waits for a step with room for all of it', () => {
    const form = (chunkedPrefill: boolean) => {
      const kv = new KVCache(1000, 16);
      const waitQ = new WaitQueue();
      const limits = {
        maxScheduledTokens: 2048,
        maxRunningReqs: 16,
        longPrefillTokenThreshold: 0,
        chunkedPrefill,
      };
      const former = new BatchFormer(limits, kv, waitQ);
      for (const [i, n] of [1000, 1500].entries())
        waitQ.pushBack(
          new SimRequest(
            request(
              i,
              0,
              Int32Array.from({ length: n }, (_, k) => k + 1 + i * 5000),
            ),
          ),
        );
      const running: SimRequest[] = [];
      former.formBatch(running);
      return running.map((r) => [r.id, r.numNewTokens]);
    };
    expect(form(true)).toEqual([
      ['request_0', 1000],
      ['request_1', 1048],
    ]);
    expect(form(false)).toEqual([['request_0', 1000]]);
  });
});
