import { AbortedError, NoProgressError } from '../errors.ts';
import type { LatencyModel } from '../latency/types.ts';
import { isClosedLoop } from '../workload/closed-loop.ts';
import { MinHeap } from '../workload/merge.ts';
import type { ClosedLoopSource, RequestSource, WorkloadRequest } from '../workload/types.ts';
import { type AdmissionConfig, createAdmission } from './admission.ts';
import { EV_STEP, Instance, type InstanceConfig } from './instance.ts';
import { SimRequest } from './request.ts';
import { RouterStateProvider } from './router-state.ts';
import { createRouter, type RoutingPolicyName, type ScorerWeight } from './routing.ts';
import { type DecisionTrace, TraceRecorder } from './trace.ts';

export interface ClusterConfig extends InstanceConfig {
  numInstances: number;
  /** µs; Infinity stands for BLIS's MaxInt64 default. */
  horizon: number;
  admission: AdmissionConfig;
  admissionLatency: number;
  routingLatency: number;
  routingPolicy: RoutingPolicyName;
  routingScorers: readonly ScorerWeight[];
  snapshotRefreshInterval: number;
  traceDecisions: boolean;
  counterfactualK: number;
}

export interface ClusterResult {
  instances: Instance[];
  rejected: number;
  trace: DecisionTrace | null;
  clock: number;
}

const ADMISSION = 1;
const ROUTING = 2;
interface ClusterEvent {
  time: number;
  prio: number;
  seq: number;
  req: SimRequest;
}

/** Asked every few thousand events with the clock (µs); returning a reason stops the run with that error. */
export type AbortCheck = (clock: number) => string | null;
const ABORT_CHECK_EVERY = 1 << 14;

/**
 * BLIS's ClusterSimulator (reference §11.2): N instances on one clock, fed by admission
 * and routing decisions. Arrivals are pulled lazily from the source, in order; they sort
 * before every other cluster event at the same time (priority 0, earliest sequence). A
 * closed-loop source (a client that limits concurrency) is told of every request that
 * leaves, and asked again for its next send each time round.
 */
export function runCluster(
  cfg: ClusterConfig,
  latency: LatencyModel,
  source: RequestSource | ClosedLoopSource,
  shouldAbort: AbortCheck | null = null,
): ClusterResult {
  const instances = Array.from(
    { length: cfg.numInstances },
    (_, i) => new Instance(`instance_${i}`, cfg, latency),
  );
  const state = new RouterStateProvider(instances, cfg.snapshotRefreshInterval);
  const admission = createAdmission(cfg.admission);
  const router = createRouter(cfg.routingPolicy, cfg.numInstances, cfg.blockSize, cfg.routingScorers);
  const trace = cfg.traceDecisions ? new TraceRecorder(cfg.counterfactualK) : null;
  const queue = new MinHeap<ClusterEvent>(less);
  const queueTime = () => queue.peek()?.time ?? Number.POSITIVE_INFINITY;
  const closed = isClosedLoop(source) ? source : null;
  const arrivals = closed === null ? (source as RequestSource)[Symbol.iterator]() : null;
  let nextArrival = arrivals === null ? null : pull(arrivals);
  if (closed !== null) for (const inst of instances) inst.onLeave = (t) => closed.finished(t);
  let seq = 0;
  let rejected = 0;
  let clock = 0;
  const horizon = cfg.horizon;
  let events = 0;

  for (;;) {
    if (shouldAbort !== null && ++events % ABORT_CHECK_EVERY === 0) {
      const reason = shouldAbort(clock);
      if (reason !== null) throw new AbortedError(reason);
    }
    const arrivalTime =
      closed !== null ? closed.nextSendTime() : nextArrival ? nextArrival.arrival : Number.POSITIVE_INFINITY;
    const clusterTime = Math.min(arrivalTime, queueTime());
    let instIdx = -1;
    let instTime = Number.POSITIVE_INFINITY;
    for (let i = 0; i < instances.length; i++) {
      const t = instances[i]!.nextEventTime();
      if (t < instTime) {
        instTime = t;
        instIdx = i;
      }
    }
    if (clusterTime === Number.POSITIVE_INFINITY && instIdx < 0) break;
    if (clusterTime <= instTime) {
      if (arrivalTime <= queueTime()) {
        clock = arrivalTime;
        if (clock > horizon) break;
        const req = new SimRequest(closed !== null ? closed.send() : nextArrival!);
        if (arrivals !== null) nextArrival = pull(arrivals);
        queue.push({ time: clock + cfg.admissionLatency, prio: ADMISSION, seq: seq++, req });
        continue;
      }
      const ev = queue.pop()!;
      clock = ev.time;
      if (clock > horizon) break;
      if (ev.prio === ADMISSION) {
        state.refresh(clock); // admission reads no snapshot, but its clock paces the refreshes
        const d = admission.admit(ev.req.inputLen, clock);
        trace?.admission(ev.req.id, clock, d.admitted, d.reason);
        if (d.admitted)
          queue.push({ time: clock + cfg.routingLatency, prio: ROUTING, seq: seq++, req: ev.req });
        else {
          rejected++;
          ev.req.release();
          closed?.finished(clock);
        }
      } else {
        const snap = state.build(clock);
        const d = router.route(ev.req, snap);
        trace?.routing(ev.req.id, clock, d, snap);
        instances[d.target]!.inject(ev.req, clock);
      }
      continue;
    }
    clock = instTime;
    if (clock > horizon) break;
    const inst = instances[instIdx]!;
    const kind = inst.processNext();
    // Stalled for good: nothing more can arrive, or the instance is stuck (see Instance.stuck)
    // so later arrivals cannot help either.
    if (kind === EV_STEP && inst.stalled && horizon === Number.POSITIVE_INFINITY) {
      const drained =
        inst.inbound === 0 && queue.size === 0 && noMoreArrivals(closed, nextArrival, instances);
      if (drained || inst.stuck) throw stallError(inst);
    }
  }
  return { instances, rejected, trace: trace?.result() ?? null, clock };
}

/**
 * Nothing more can arrive: the source is spent or, for a closed loop, waits for a completion
 * that no instance can give (one instance, and it is stalled).
 */
function noMoreArrivals(
  closed: ClosedLoopSource | null,
  nextArrival: WorkloadRequest | null,
  instances: readonly Instance[],
): boolean {
  if (closed === null) return nextArrival === null;
  return closed.nextSendTime() === Number.POSITIVE_INFINITY && (closed.exhausted() || instances.length === 1);
}

function pull(it: Iterator<WorkloadRequest>): WorkloadRequest | null {
  const n = it.next();
  return n.done ? null : n.value;
}

function stallError(inst: Instance): NoProgressError {
  const head = inst.waitQ.peekFront();
  const need = Math.ceil(head.inputLen / inst.kv.blockSize);
  return new NoProgressError(
    `simulation cannot progress on ${inst.id}: ${inst.waitQ.length} request(s) wait, nothing runs, and the head ` +
      `request (${head.id}, ${head.inputLen} input tokens, ~${need} blocks) cannot get KV blocks ` +
      `(${inst.kv.freeCount()} of ${inst.kv.totalBlocks} free). BLIS v0.6.1 leaks the blocks of a request whose ` +
      'decode allocation fails (reference §5.4) and would loop here for ever; give more --total-kv-blocks or a finite --horizon.',
  );
}

/** Admission and routing decisions in (time, priority, seq) order: a strict total order, so any heap pops the same sequence. */
function less(a: ClusterEvent, b: ClusterEvent): boolean {
  if (a.time !== b.time) return a.time < b.time;
  if (a.prio !== b.prio) return a.prio < b.prio;
  return a.seq < b.seq;
}
