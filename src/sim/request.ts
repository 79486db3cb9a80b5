import type { StepRequest } from '../latency/types.ts';
import type { WorkloadRequest } from '../workload/types.ts';
import { fullBlockKeys } from './block-keys.ts';

export const QUEUED = 0;
export const RUNNING = 1;
export const COMPLETED = 2;

/**
 * The simulator's mutable record of one request (BLIS `Request` plus its per-request
 * metrics). Token arrays and keys are dropped once the request completes.
 */
export class SimRequest implements StepRequest {
  readonly id: string;
  readonly arrival: number;
  readonly inputLen: number;
  readonly outputLen: number;
  readonly tenantId: string;
  readonly sloClass: string;
  readonly stage: number;
  input: Int32Array | null;
  output: Int32Array | null;

  state = QUEUED;
  progressIndex = 0;
  numNewTokens = 0;
  /** BLIS ComputedTokens[id]; 0 when the map has no entry. */
  computedTokens = 0;
  priority = 0;
  scheduledStepIdx = 0;
  finishedStepIdx = 0;
  assignedInstance = -1;

  /** KV RequestMap entry: block IDs in order, or null when the map has none. */
  blocks: number[] | null = null;
  /** listKeys[i]: key of the concatenated tokens of blocks[0..i] (full blocks only). */
  listKeys: number[] = [];
  private inputKeys: Float64Array | null = null;

  /** ITL entries in µs (kept across preemption, quirk Q4). */
  itl: number[] = [];
  itlSum = 0;

  // Per-request metrics; `has*` mirrors presence in BLIS's per-request maps.
  ttft = 0;
  hasTTFT = false;
  e2e = 0;
  completed = false;
  itlReq = 0;
  schedDelay = 0;
  hasSchedDelay = false;
  dropped = false;

  constructor(w: WorkloadRequest) {
    this.id = w.id;
    this.arrival = w.arrival;
    this.input = w.input;
    this.output = w.output;
    this.inputLen = w.input.length;
    this.outputLen = w.output.length;
    this.tenantId = w.tenantId ?? '';
    this.sloClass = w.sloClass ?? '';
    this.stage = w.stage ?? -1;
  }

  /** Prefix keys of the input's full blocks, computed once per request. */
  fullInputKeys(blockSize: number): Float64Array {
    if (this.inputKeys === null) this.inputKeys = fullBlockKeys(this.input!, blockSize);
    return this.inputKeys;
  }

  /** Frees what only a live request needs. */
  release(): void {
    this.input = null;
    this.output = null;
    this.inputKeys = null;
    this.itl = [];
    this.listKeys = [];
  }
}
