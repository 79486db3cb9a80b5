import type { LatencyModel } from '../latency/types.ts';
import { EventHeap } from './event-heap.ts';
import { KVCache, type KvLeakMode } from './kv-cache.ts';
import { CpuTier, type CpuTierConfig } from './kv-tier.ts';
import { orderWaitQueue, type PriorityPolicy, type SchedulerName } from './queue-order.ts';
import type { SimRequest } from './request.ts';
import { RequestLog } from './request-log.ts';
import { BatchFormer, type BatchLimits } from './scheduler.ts';
import { WaitQueue } from './wait-queue.ts';

export const EV_ARRIVAL = 0;
export const EV_QUEUED = 1;
export const EV_STEP = 2;
export const EV_SCHEDULED = 3;
export const EV_PREEMPTION = 4;
export const EV_LEFT = 5;

export interface InstanceConfig extends BatchLimits {
  totalKVBlocks: number;
  cpuTier: CpuTierConfig | null;
  blockSize: number;
  priorityPolicy: PriorityPolicy;
  scheduler: SchedulerName;
  /** BLIS v0.6.1's block leak on a failed allocation, or the later releases' fix. */
  kvLeak: KvLeakMode;
  /** vLLM's prefix caching (BLIS always caches); absent: on. */
  prefixCaching?: boolean;
}

const NO_CACHED: readonly number[] = [];

/** One vLLM instance: BLIS's single-instance Simulator, event by event (reference §3). */
export class Instance {
  clock = 0;
  readonly kv: KVCache;
  readonly waitQ = new WaitQueue();
  running: SimRequest[] = [];
  stepCount = 0;
  /** Requests injected here, in injection order (BLIS's `Requests` registry), and their metrics. */
  readonly log = new RequestLog();

  completedRequests = 0;
  totalInputTokens = 0;
  totalOutputTokens = 0;
  preemptionCount = 0;
  kvAllocationFailures = 0;
  droppedUnservable = 0;
  peakKVBlocksUsed = 0;
  /** Σ and count of WaitQ depth over steps (HOL-blocking analytics). */
  waitDepthSum = 0;
  /** Arrival/Queued events not yet handled: work that may still reach the WaitQ (the router's pending count). */
  inbound = 0;
  /** The last step found nothing to run and nothing it could admit. */
  stalled = false;
  /**
   * Stalled for good: nothing runs (so no block will be released), the queue head stays the
   * head (fcfs), and the step changed no KV state (no CPU-tier reload): every later step fails
   * the same way, whatever arrives behind the head.
   */
  stuck = false;
  /** Told when a request leaves (completed: when its client has the last token; or dropped): closed loops. */
  onLeave: ((time: number) => void) | null = null;

  private readonly heap = new EventHeap<SimRequest>();
  private readonly former: BatchFormer;
  /** BLIS's StepEvent is set: a step is scheduled (quirk Q1 can schedule one without it). */
  private stepEvent = false;
  /** ITL entry of each step, by step number (requests refer to it by step ranges). */
  private stepItl = new Float64Array(1024);
  /**
   * How many ITL entries of completed requests each step contributed, as a difference
   * array over steps: a completed request adds its step ranges in O(1) each.
   */
  private itlDiff = new Int32Array(1025);
  /** The latency model's completion rules (v0.6.1: phantom ITL, no post-decode overhead). */
  private readonly phantomItl: boolean;
  private readonly postDecode: number;
  private readonly ttftSteps: number;

  constructor(
    readonly id: string,
    private readonly cfg: InstanceConfig,
    private readonly latency: LatencyModel,
  ) {
    this.kv = new KVCache(cfg.totalKVBlocks, cfg.blockSize, cfg.kvLeak);
    this.kv.prefixCaching = cfg.prefixCaching !== false;
    if (cfg.cpuTier !== null && cfg.cpuTier.cpuBlocks > 0) this.kv.tier = new CpuTier(cfg.cpuTier);
    this.former = new BatchFormer(cfg, this.kv, this.waitQ);
    this.phantomItl = latency.phantomItl !== false;
    this.postDecode = latency.postDecodeOverhead?.() ?? 0;
    this.ttftSteps = latency.ttftDecodeSteps ?? 0;
  }

  nextEventTime(): number {
    return this.heap.peekTime();
  }

  get pendingEvents(): number {
    return this.heap.size;
  }

  inject(r: SimRequest, time: number): void {
    r.slot = this.log.add(r);
    this.inbound++;
    this.heap.push(time, EV_ARRIVAL, r);
  }

  /** Pops and executes the next event; returns its kind. */
  processNext(): number {
    const heap = this.heap;
    heap.pop();
    const { time, kind, payload: req } = heap;
    this.clock = time;
    switch (kind) {
      case EV_ARRIVAL:
        heap.push(time + this.latency.queueingTime(req!.inputLen), EV_QUEUED, req);
        break;
      case EV_QUEUED:
        this.inbound--;
        this.onQueued(req!, time);
        break;
      case EV_STEP:
        this.step(time);
        break;
    }
    return kind;
  }

  private onQueued(r: SimRequest, now: number): void {
    if (Math.ceil(r.inputLen / this.cfg.blockSize) > this.cfg.totalKVBlocks) {
      this.droppedUnservable++;
      this.log.setDropped(r.slot);
      r.release();
      if (this.onLeave !== null) this.onLeave(now);
    } else {
      this.waitQ.pushBack(r);
      this.totalInputTokens += r.inputLen;
    }
    // Quirk Q1: schedules a step without setting stepEvent, even for a dropped request.
    if (!this.stepEvent) this.heap.push(now, EV_STEP, null);
  }

  private step(now: number): void {
    this.stepCount++;
    const tier = this.kv.tier;
    if (tier !== null) tier.clock = now;
    orderWaitQueue(this.waitQ, this.cfg.priorityPolicy, this.cfg.scheduler, now);
    const running = this.running;
    const reloadsBefore = tier?.cpuHits ?? 0;
    this.former.formBatch(running);
    const lat = this.latency;
    for (const r of this.former.preempted) {
      this.heap.push(now + lat.preemptionProcessingTime(), EV_PREEMPTION, r);
      this.preemptionCount++;
    }
    for (const r of this.former.scheduled) {
      this.heap.push(now + lat.schedulingProcessingTime(), EV_SCHEDULED, r);
      this.log.setScheduled(r.slot, now - r.arrival);
    }
    this.waitDepthSum += this.waitQ.length;
    this.stalled = running.length === 0 && this.former.scheduled.length === 0 && this.waitQ.length > 0;
    this.stuck = this.stalled && this.cfg.scheduler === 'fcfs' && (tier?.cpuHits ?? 0) === reloadsBefore;

    const adv = lat.stepTime(running) + (tier !== null ? tier.consumePendingLatency() : 0);
    const otp = lat.outputTokenProcessingTime();
    const itlEntry = adv + otp;
    const step = this.stepCount;
    if (step >= this.stepItl.length) {
      const itl = new Float64Array(this.stepItl.length * 2);
      itl.set(this.stepItl);
      this.stepItl = itl;
      const diff = new Int32Array(itl.length + 1);
      diff.set(this.itlDiff);
      this.itlDiff = diff;
    }
    this.stepItl[step] = itlEntry;
    // Peak use before completions release blocks (the progress updates leave the cache alone).
    const used = this.kv.usedBlocks;
    if (used > this.peakKVBlocksUsed) this.peakKVBlocksUsed = used;
    // One pass: each request advances, then completes or stays (in order, as BLIS does).
    let kept = 0;
    for (let i = 0; i < running.length; i++) {
      const r = running[i]!;
      if (r.progressIndex < r.inputLen) {
        r.progressIndex = r.computedTokens;
      } else {
        r.progressIndex += 1;
        this.totalOutputTokens++;
        if (r.itlTo !== step - 1) {
          if (r.itlTo >= 0) {
            r.itlRuns ??= [];
            r.itlRuns.push(r.itlFrom, r.itlTo);
          }
          r.itlFrom = step;
        }
        r.itlTo = step;
        r.itlSum += itlEntry;
        if (this.ttftSteps > 0 && r.progressIndex === r.inputLen + 1) {
          r.ttftLag = this.ttftSteps * itlEntry;
          r.ttft += r.ttftLag;
          this.log.setTTFT(r.slot, r.ttft);
        }
      }
      if (r.progressIndex === r.inputLen) {
        r.ttft = now + itlEntry - r.arrival;
        r.ttftLag = 0;
        this.log.setTTFT(r.slot, r.ttft);
      }
      if (r.progressIndex === r.inputLen + Math.max(r.outputLen, 1) - 1) this.complete(r, now, adv, itlEntry);
      else running[kept++] = r;
    }
    // Setting an array's length is a runtime call even when it does not change (most steps).
    if (kept !== running.length) running.length = kept;

    this.stepEvent = kept > 0 || this.waitQ.length > 0;
    if (this.stepEvent) this.heap.push(now + adv, EV_STEP, null);
  }

  private complete(r: SimRequest, now: number, adv: number, itlEntry: number): void {
    // v0.6.1 appends one more ITL entry at completion (the "phantom" ITL, §3.4).
    if (this.phantomItl) r.itlSum += itlEntry;
    if (r.outputLen > 0 && !this.kv.allocate(r, r.progressIndex, r.progressIndex + 1, NO_CACHED)) {
      this.kvAllocationFailures++;
    }
    this.kv.release(r);
    this.heap.push(now + adv, EV_LEFT, r);
    this.completedRequests++;
    const e2e = r.ttft - r.ttftLag + r.itlSum + (r.outputLen > 0 ? this.postDecode : 0);
    this.log.setCompleted(r.slot, e2e, r.outputLen > 0 ? r.itlSum / Math.max(r.outputLen - 1, 1) : 0);
    if (this.onLeave !== null) this.onLeave(Math.max(now, r.arrival + e2e));
    const runs = r.itlRuns ?? [];
    for (let i = 0; i < runs.length; i += 2) this.countSteps(runs[i]!, runs[i + 1]!);
    if (r.itlTo >= 0) this.countSteps(r.itlFrom, r.itlTo);
    if (this.phantomItl) this.countSteps(this.stepCount, this.stepCount); // the phantom entry is this step's
    r.release();
  }

  private countSteps(from: number, to: number): void {
    this.itlDiff[from]!++;
    this.itlDiff[to + 1]!--;
  }

  /** ITL samples of completed requests as value → count (exact percentiles, bounded memory). */
  get itlCounts(): Map<number, number> {
    const counts = new Map<number, number>();
    let n = 0;
    for (let s = 0; s <= this.stepCount; s++) {
      n += this.itlDiff[s]!;
      if (n > 0) counts.set(this.stepItl[s]!, (counts.get(this.stepItl[s]!) ?? 0) + n);
    }
    return counts;
  }
}
