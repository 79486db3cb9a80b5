import type { KVCache } from './kv-cache.ts';
import type { SimRequest } from './request.ts';
import type { WaitQueue } from './wait-queue.ts';

export interface BatchLimits {
  maxScheduledTokens: number;
  maxRunningReqs: number;
  longPrefillTokenThreshold: number;
  /** vLLM's chunked prefill (BLIS always chunks); off, a prompt waits for a step with room for all of it. */
  chunkedPrefill?: boolean;
}

const NO_CACHED: readonly number[] = [];

/**
 * vLLM batch formation as BLIS v0.6.1 models it (reference §4): running requests first,
 * then admissions from the WaitQ head, under a token budget, with chunked prefill and
 * preemption by recompute. Mutates `running` in place; fills `scheduled` and `preempted`.
 */
export class BatchFormer {
  readonly scheduled: SimRequest[] = [];
  readonly preempted: SimRequest[] = [];
  private preemptionHappened = false;
  /** The running list as phase 1 found it, copied at its first eviction; reused between steps. */
  private readonly snapshot: SimRequest[] = [];

  constructor(
    private readonly limits: BatchLimits,
    private readonly kv: KVCache,
    private readonly waitQ: WaitQueue,
  ) {}

  formBatch(running: SimRequest[]): void {
    const { maxScheduledTokens, maxRunningReqs, longPrefillTokenThreshold: thr } = this.limits;
    // Only when non-empty: setting a length is a runtime call even when it does not change.
    if (this.scheduled.length > 0) this.scheduled.length = 0;
    if (this.preempted.length > 0) this.preempted.length = 0;
    this.preemptionHappened = false;
    let budget = maxScheduledTokens;

    // Phase 1 visits the requests running at its start, evicted ones too (BLIS does this on
    // purpose): `running` itself until the first eviction, then the copy taken just before it.
    const snapshot = this.snapshot;
    const n0 = running.length;
    for (let i = 0; i < n0; i++) {
      const r = this.preemptionHappened ? snapshot[i]! : running[i]!;
      if (budget <= 0) break;
      let n = r.inputLen - r.progressIndex;
      if (n > 0) {
        if (thr > 0 && thr < n) n = thr;
        if (n > budget) n = budget;
        if (!this.preemptForTokens(running, r, n)) break;
        budget -= n;
        r.numNewTokens = n;
        r.computedTokens += n;
      } else if (r.outputLen > 0) {
        if (!this.preemptForTokens(running, r, 1)) break;
        budget -= 1;
        r.numNewTokens = 1;
        r.computedTokens += 1;
      }
    }

    // Phase 2: admit from the WaitQ head; head-of-line blocking on the first failure.
    const bs = this.kv.blockSize;
    while (
      running.length < maxRunningReqs &&
      this.waitQ.length > 0 &&
      budget > 0 &&
      !this.preemptionHappened
    ) {
      const next = this.waitQ.peekFront();
      const cached = this.kv.getCachedBlocks(next);
      const c = cached.length * bs;
      let n = next.inputLen - c;
      if (this.limits.chunkedPrefill === false) {
        // Whole prompts only: one that does not fit waits (an empty step takes it anyway).
        if (n > budget && budget < maxScheduledTokens) break;
      } else {
        if (thr > 0 && thr < n) n = thr;
        if (n > budget) n = budget;
      }
      if (!this.kv.allocate(next, c, c + n, cached)) break;
      this.waitQ.popFront();
      running.push(next);
      this.scheduled.push(next);
      budget -= n;
      next.numNewTokens = n;
      next.computedTokens = n + c;
    }
  }

  private preemptForTokens(running: SimRequest[], r: SimRequest, n: number): boolean {
    for (;;) {
      if (this.kv.allocate(r, r.progressIndex, r.progressIndex + n, NO_CACHED)) return true;
      if (running.length === 0) return false;
      if (!this.preemptionHappened) for (let i = 0; i < running.length; i++) this.snapshot[i] = running[i]!;
      this.preemptionHappened = true;
      const victim = running.pop()!;
      this.preempted.push(victim);
      victim.progressIndex = 0;
      this.kv.release(victim);
      victim.computedTokens = 0;
      this.waitQ.pushFront(victim);
      if (victim === r) return false;
    }
  }
}
