/**
 * One workload-spec client's requests, generated lazily in (arrival, generation)
 * order with the client's own Go generator, following BLIS v0.6.1's per-client loop
 * (reference §7.4, step 4). Samplers are built up front so bad distributions are
 * reported before anything is generated.
 */
import { GoRand } from '../sim/rng.ts';
import { createArrivalSampler } from './arrivals.ts';
import { randomTokens } from './distribution.ts';
import { MinHeap } from './merge.ts';
import { createMultimodalSampler } from './multimodal.ts';
import { type MultiTurn, reasoningSession, type SessionContext } from './reasoning.ts';
import { createLengthSampler } from './samplers.ts';
import type { ActiveWindow, ClientSpec } from './spec-schema.ts';
import type { WorkloadRequest } from './types.ts';

export interface ClientPlan {
  client: ClientSpec;
  /** Field path of the client in error messages, e.g. `clients[2]`. */
  where: string;
  ratePerUs: number;
  /** The client's seed, drawn from the spec generator with Int63. */
  seed: bigint;
  /** The prefix group's shared tokens (empty when the client has no group). */
  prefix: Int32Array;
  horizon: number;
  /** BLIS's per-client cap (2 × num_requests); 0 = none. */
  cap: number;
  /** Tag each request with the index of the lifecycle window it falls in (stages). */
  stageFromWindows: boolean;
}

function windowIndex(t: number, windows: readonly ActiveWindow[]): number {
  return windows.findIndex((w) => t >= w.start_us && t < w.end_us);
}

export function clientRequests(plan: ClientPlan): Iterable<WorkloadRequest> {
  const { client, where } = plan;
  const arrival = createArrivalSampler(client.arrival.process, client.arrival.cv, plan.ratePerUs);
  const input = createLengthSampler(client.input_distribution, `${where}.input_distribution`);
  const output = createLengthSampler(client.output_distribution, `${where}.output_distribution`);
  const mt = client.reasoning?.multi_turn;
  if (mt !== undefined) {
    const rr = client.reasoning!.reason_ratio_distribution;
    const ctx: SessionContext = {
      input,
      output,
      reasonRatio:
        rr.type === '' ? undefined : createLengthSampler(rr, `${where}.reasoning.reason_ratio_distribution`),
      tenantId: client.tenant_id,
      sloClass: client.slo_class,
    };
    const turns = {
      maxRounds: mt.max_rounds,
      thinkTimeUs: mt.think_time_us,
      accumulate: mt.context_growth === 'accumulate',
    };
    return sessions(plan, arrival, turns, ctx);
  }
  const multimodal =
    client.multimodal === undefined
      ? undefined
      : createMultimodalSampler(client.multimodal, `${where}.multimodal`);
  return standard(plan, arrival, (rng) => {
    if (multimodal !== undefined) {
      const tokens = multimodal(rng);
      return [tokens, randomTokens(rng, output(rng))];
    }
    const inLen = input(rng);
    const outLen = output(rng);
    return [randomTokens(rng, inLen), randomTokens(rng, outLen)];
  });
}

function* standard(
  plan: ClientPlan,
  arrival: (rng: GoRand) => number,
  draw: (rng: GoRand) => [Int32Array, Int32Array],
): Generator<WorkloadRequest> {
  const rng = new GoRand(plan.seed);
  const { client, prefix, horizon, cap } = plan;
  const windows = client.lifecycle?.windows;
  // Past the last window no request can be produced; BLIS v0.6.1 keeps drawing IATs
  // until the horizon (for ever when it is MaxInt64), so stopping here is equivalent.
  const lastEnd =
    windows === undefined ? Number.POSITIVE_INFINITY : Math.max(-Infinity, ...windows.map((w) => w.end_us));
  let t = 0;
  for (let count = 0; t < horizon && !(cap > 0 && count >= cap); ) {
    t += arrival(rng);
    if (t >= horizon) break;
    let stage: number | undefined;
    if (windows !== undefined) {
      const w = windowIndex(t, windows);
      if (w < 0) {
        if (t >= lastEnd) break;
        continue;
      }
      if (plan.stageFromWindows) stage = w;
    }
    const [body, output] = draw(rng);
    let input = body;
    if (prefix.length > 0) {
      input = new Int32Array(prefix.length + body.length);
      input.set(prefix);
      input.set(body, prefix.length);
    }
    yield request(client, t, input, output, stage);
    count++;
  }
}

function* sessions(
  plan: ClientPlan,
  arrival: (rng: GoRand) => number,
  mt: MultiTurn,
  ctx: SessionContext,
): Generator<WorkloadRequest> {
  // Sessions with no rounds produce nothing (BLIS would loop until the horizon).
  if (mt.maxRounds <= 0) return;
  const rng = new GoRand(plan.seed);
  const { horizon, cap } = plan;
  const windows = plan.client.lifecycle?.windows;
  // Rounds of earlier sessions may arrive after later sessions start: hold them in a
  // heap and release everything not later than the newest session's start.
  let seq = 0;
  const pending = new MinHeap<{ req: WorkloadRequest; seq: number }>(
    (a, b) => a.req.arrival < b.req.arrival || (a.req.arrival === b.req.arrival && a.seq < b.seq),
  );
  let t = 0;
  for (let count = 0; t < horizon && !(cap > 0 && count >= cap); ) {
    t += arrival(rng);
    if (t >= horizon) break;
    while (pending.size > 0 && pending.peek()!.req.arrival <= t) yield pending.pop()!.req;
    const stage = plan.stageFromWindows && windows !== undefined ? windowIndex(t, windows) : -1;
    for (const req of reasoningSession(rng, mt, ctx, t)) {
      if (stage >= 0) req.stage = stage;
      pending.push({ req, seq: seq++ });
      count++;
    }
  }
  while (pending.size > 0) yield pending.pop()!.req;
}

function request(
  client: ClientSpec,
  arrival: number,
  input: Int32Array,
  output: Int32Array,
  stage: number | undefined,
): WorkloadRequest {
  const req: WorkloadRequest = { id: '', arrival, input, output };
  if (client.tenant_id !== '') req.tenantId = client.tenant_id;
  if (client.slo_class !== '') req.sloClass = client.slo_class;
  if (stage !== undefined) req.stage = stage;
  return req;
}
