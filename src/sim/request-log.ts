import type { SimRequest } from './request.ts';

/** What the simulator reports of one request (BLIS's per-request maps); times in µs. */
export interface RequestRecord
  extends Readonly<
    Pick<SimRequest, 'id' | 'arrival' | 'inputLen' | 'outputLen' | 'tenantId' | 'sloClass' | 'stage'>
  > {
  /** Each value counts only with its flag, as a key present in BLIS's map. */
  readonly ttft: number;
  readonly hasTTFT: boolean;
  readonly e2e: number;
  readonly itlReq: number;
  readonly completed: boolean;
  readonly schedDelay: number;
  readonly hasSchedDelay: boolean;
  readonly dropped: boolean;
}

/** The metrics a log sorts: each with the flag that says a request has it. */
export type LoggedMetric = 'ttft' | 'e2e' | 'schedDelay';

const HAS_TTFT = 1;
const COMPLETED = 2;
const HAS_SCHED = 4;
const DROPPED = 8;
const FLAG: Record<LoggedMetric, number> = { ttft: HAS_TTFT, e2e: COMPLETED, schedDelay: HAS_SCHED };

/**
 * The requests injected into an instance, in injection order (BLIS's `Requests` registry),
 * held as columns. A run keeps hundreds of thousands of them; as objects they were what
 * the scavenger copied most. A live request writes each metric here as it becomes known,
 * so the log is current at any time; `record` and `records` give the rows as objects.
 */
export class RequestLog {
  length = 0;
  private readonly ids: string[] = [];
  private readonly tenants: string[] = [];
  private readonly classes: string[] = [];
  private arrival = new Float64Array(256);
  private ttft = new Float64Array(256);
  private e2e = new Float64Array(256);
  private itl = new Float64Array(256);
  private sched = new Float64Array(256);
  private lens = new Int32Array(3 * 256);
  private flags = new Uint8Array(256);

  /** Appends `r`; returns its row. */
  add(r: SimRequest): number {
    const i = this.length++;
    if (i === this.flags.length) this.grow();
    this.ids.push(r.id);
    this.tenants.push(r.tenantId);
    this.classes.push(r.sloClass);
    this.arrival[i] = r.arrival;
    this.lens[3 * i] = r.inputLen;
    this.lens[3 * i + 1] = r.outputLen;
    this.lens[3 * i + 2] = r.stage;
    return i;
  }

  setTTFT(i: number, ttft: number): void {
    this.ttft[i] = ttft;
    this.flags[i]! |= HAS_TTFT;
  }

  setScheduled(i: number, delay: number): void {
    this.sched[i] = delay;
    this.flags[i]! |= HAS_SCHED;
  }

  setCompleted(i: number, e2e: number, itl: number): void {
    this.e2e[i] = e2e;
    this.itl[i] = itl;
    this.flags[i]! |= COMPLETED;
  }

  setDropped(i: number): void {
    this.flags[i]! |= DROPPED;
  }

  sloClass(i: number): string {
    return this.classes[i]!;
  }

  /** How many rows have `metric`, of those with SLO class `cls` when given. */
  count(metric: LoggedMetric, cls?: string): number {
    let n = 0;
    const f = FLAG[metric];
    for (let i = 0; i < this.length; i++)
      if (this.flags[i]! & f && (cls === undefined || this.classes[i] === cls)) n++;
    return n;
  }

  /** Writes the values of `metric` (rows that have it, of class `cls` when given) from `out[at]`; returns the next index. */
  copyTo(metric: LoggedMetric, out: Float64Array, at: number, cls?: string): number {
    const f = FLAG[metric];
    const col = metric === 'ttft' ? this.ttft : metric === 'e2e' ? this.e2e : this.sched;
    for (let i = 0; i < this.length; i++) {
      if (this.flags[i]! & f && (cls === undefined || this.classes[i] === cls)) out[at++] = col[i]!;
    }
    return at;
  }

  record(i: number): RequestRecord {
    const f = this.flags[i]!;
    return {
      id: this.ids[i]!,
      arrival: this.arrival[i]!,
      inputLen: this.lens[3 * i]!,
      outputLen: this.lens[3 * i + 1]!,
      tenantId: this.tenants[i]!,
      sloClass: this.classes[i]!,
      stage: this.lens[3 * i + 2]!,
      ttft: this.ttft[i]!,
      hasTTFT: (f & HAS_TTFT) !== 0,
      e2e: this.e2e[i]!,
      itlReq: this.itl[i]!,
      completed: (f & COMPLETED) !== 0,
      schedDelay: this.sched[i]!,
      hasSchedDelay: (f & HAS_SCHED) !== 0,
      dropped: (f & DROPPED) !== 0,
    };
  }

  records(): RequestRecord[] {
    return Array.from({ length: this.length }, (_, i) => this.record(i));
  }

  private grow(): void {
    const n = this.flags.length * 2;
    const more = <T extends Float64Array | Int32Array | Uint8Array>(a: T, size: number): T => {
      const b = new (a.constructor as new (n: number) => T)(size);
      b.set(a);
      return b;
    };
    this.arrival = more(this.arrival, n);
    this.ttft = more(this.ttft, n);
    this.e2e = more(this.e2e, n);
    this.itl = more(this.itl, n);
    this.sched = more(this.sched, n);
    this.lens = more(this.lens, 3 * n);
    this.flags = more(this.flags, n);
  }
}

/** Sorted values of `metric` over the logs' rows that have it (of class `cls` when given): BLIS's sorted per-request samples. */
export function sortedMetric(logs: readonly RequestLog[], metric: LoggedMetric, cls?: string): Float64Array {
  let n = 0;
  for (const log of logs) n += log.count(metric, cls);
  const out = new Float64Array(n);
  let at = 0;
  for (const log of logs) at = log.copyTo(metric, out, at, cls);
  return out.sort();
}
