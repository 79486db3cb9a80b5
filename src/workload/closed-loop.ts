/**
 * A client that limits concurrency, replayed as a closed loop: at most `maxConcurrency`
 * requests in flight; a request is sent at its scheduled time or, when the limit is reached,
 * as soon as one in flight finishes (first come, first served), as vllm bench's
 * --max-concurrency, guidellm's concurrent and synchronous profiles, AIPerf's concurrency
 * mode and inference-perf's worker limits do. Unpaced clients send as fast as the limit
 * allows; paced ones take the source's arrivals as the schedule.
 */
import { MinHeap } from './merge.ts';
import type { ClosedLoopSource, RequestSource, WorkloadRequest } from './types.ts';

/** The client's limits: plain data (it crosses into worker threads). */
export interface ClientLimit {
  maxConcurrency: number;
  /** Sends follow the source's arrivals (a rate, or recorded sends); false: none waits for its time. */
  paced: boolean;
}

/** "≤ 2 in flight" or "≤ 2 in flight, paced", as reports say it. */
export function clientLimitLabel(c: ClientLimit): string {
  return `closed loop ≤ ${c.maxConcurrency} in flight${c.paced ? ', paced' : ''}`;
}

export function closedLoop(source: RequestSource, limit: ClientLimit): ClosedLoopSource {
  if (!Number.isInteger(limit.maxConcurrency) || limit.maxConcurrency < 1)
    throw new RangeError(`maxConcurrency must be an integer >= 1, got ${limit.maxConcurrency}`);
  const it = source[Symbol.iterator]();
  let next: WorkloadRequest | null = pull(it);
  /** Slots never used yet: free since the start. */
  let fresh = limit.maxConcurrency;
  /** When each slot given back became free (µs). */
  const freed = new MinHeap<number>((a, b) => a < b);
  const scheduled = (r: WorkloadRequest) => (limit.paced ? r.arrival : 0);
  const sendTime = (): number => {
    if (next === null) return Number.POSITIVE_INFINITY;
    if (fresh > 0) return scheduled(next);
    const slot = freed.peek();
    return slot === undefined ? Number.POSITIVE_INFINITY : Math.max(scheduled(next), slot);
  };
  return {
    closedLoop: true,
    nextSendTime: sendTime,
    send() {
      const at = sendTime();
      if (next === null || at === Number.POSITIVE_INFINITY)
        throw new Error('closed loop: no request can be sent');
      if (fresh > 0) fresh--;
      else freed.pop();
      // A copy: a source's requests may be reused by later replays (workload-cache.ts).
      const r = at === next.arrival ? next : { ...next, arrival: at };
      next = pull(it);
      return r;
    },
    finished(time: number) {
      freed.push(time);
    },
    exhausted: () => next === null,
  };
}

function pull(it: Iterator<WorkloadRequest>): WorkloadRequest | null {
  const n = it.next();
  return n.done ? null : n.value;
}

export function isClosedLoop(s: RequestSource | ClosedLoopSource): s is ClosedLoopSource {
  return (s as Partial<ClosedLoopSource>).closedLoop === true;
}
