import type { StepRequest } from '../latency/types.ts';
import type { WorkloadRequest } from '../workload/types.ts';
import { type FullBlocks, fullBlocks, type HashedInput, ROOT_KEY } from './block-keys.ts';

/**
 * The simulator's mutable state of one live request (BLIS `Request`); what is reported of
 * it goes to its instance's RequestLog. Token arrays and keys are dropped once it leaves.
 */
export class SimRequest implements StepRequest {
  readonly id: string;
  readonly arrival: number;
  readonly inputLen: number;
  readonly outputLen: number;
  readonly tenantId: string;
  readonly sloClass: string;
  /** Stage index of a staged workload, -1 otherwise. */
  readonly stage: number;
  input: Int32Array | null;
  output: Int32Array | null;

  progressIndex = 0;
  numNewTokens = 0;
  /** BLIS ComputedTokens[id]; 0 when the map has no entry. */
  computedTokens = 0;
  priority = 0;

  /** KV RequestMap entry: block IDs in order, or null when the map has none. */
  blocks: number[] | null = null;
  /** Key of the concatenated tokens of the request's full blocks (ROOT_KEY when none). */
  listKey = ROOT_KEY;
  /** Output index of the first decode token its last block counts but has not hashed, or -1. */
  unhashedFrom = -1;
  private inputBlocks: FullBlocks | null = null;
  private readonly ahead: FullBlocks | null;

  /**
   * ITL entries, kept across preemption (quirk Q4), as the steps that decoded a token of
   * this request: every decoding request of a step gets the same entry, so the instance
   * logs it once per step and a request keeps step ranges, not a per-token array.
   */
  itlFrom = -1;
  itlTo = -1;
  /** Closed [from, to] step ranges from before a preemption, or null. */
  itlRuns: number[] | null = null;
  itlSum = 0;

  /** The request's row in its instance's RequestLog, where its metrics go. */
  slot = -1;
  /** TTFT so far (µs), as E2E needs it; the log holds what is reported. */
  ttft = 0;
  /** The part of ttft that is the latency model's first-token lag (not part of E2E). */
  ttftLag = 0;

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
    this.ahead = w.inputBlocks ?? null;
  }

  /** Prefix keys and hashes of the input's full blocks, computed once per request (see `fullBlocks`). */
  fullInputBlocks(blockSize: number, like: HashedInput | null = null): FullBlocks {
    if (this.inputBlocks === null)
      this.inputBlocks =
        this.ahead?.blockSize === blockSize ? this.ahead : fullBlocks(this.input!, blockSize, like);
    return this.inputBlocks;
  }

  /** Prefix keys of the input's full blocks. */
  fullInputKeys(blockSize: number): Float64Array {
    return this.fullInputBlocks(blockSize).keys;
  }

  /** Frees what only a live request needs. */
  release(): void {
    this.input = null;
    this.output = null;
    this.inputBlocks = null;
    this.itlRuns = null;
    this.listKey = ROOT_KEY;
  }
}
