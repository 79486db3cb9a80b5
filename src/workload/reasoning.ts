/**
 * Reasoning multi-turn sessions of the workload spec (BLIS v0.6.1). Each arrival
 * starts a session `sess_<Int63>` of `max_rounds` requests spaced think_time_us +
 * outputLen apart. With context_growth "accumulate", round r's input is every earlier
 * round's new input and output tokens followed by its own new input.
 *
 * v0.6.1 quirks kept: rounds are not filtered by horizon or lifecycle windows, and
 * the client's shared prefix is not prepended (both changed in later releases).
 */
import type { GoRand } from '../sim/rng.ts';
import { MAX_TOKEN_ID } from './distribution.ts';
import type { LengthSampler } from './samplers.ts';
import type { WorkloadRequest } from './types.ts';

export interface MultiTurn {
  maxRounds: number;
  thinkTimeUs: number;
  accumulate: boolean;
}

export interface SessionContext {
  input: LengthSampler;
  output: LengthSampler;
  /** The reason-ratio sampler: its value is not modelled, but its draws are made. */
  reasonRatio: LengthSampler | undefined;
  tenantId: string;
  sloClass: string;
}

/**
 * One session's requests (ids left empty). With accumulation the rounds share one
 * growing buffer [in0, out0, in1, out1, …]: round r's input is a view of its head, so
 * a session costs O(total tokens) memory instead of O(rounds²).
 */
export function reasoningSession(
  rng: GoRand,
  mt: MultiTurn,
  ctx: SessionContext,
  startTime: number,
): WorkloadRequest[] {
  const sessionId = `sess_${rng.int63()}`;
  const out: WorkloadRequest[] = [];
  let buf = new Int32Array(0);
  let used = 0;
  let t = startTime;
  for (let round = 0; round < mt.maxRounds; round++) {
    const inputLen = ctx.input(rng);
    const outputLen = ctx.output(rng);
    let input: Int32Array;
    let output: Int32Array;
    if (mt.accumulate) {
      if (used + inputLen + outputLen > buf.length) {
        // Earlier rounds keep views of the old buffer, whose contents never change.
        const grown = new Int32Array(Math.max(2 * buf.length, used + inputLen + outputLen));
        grown.set(buf.subarray(0, used));
        buf = grown;
      }
      rng.fillIntn(buf.subarray(used, used + inputLen), MAX_TOKEN_ID);
      input = buf.subarray(0, used + inputLen);
      output = rng.fillIntn(buf.subarray(used + inputLen, used + inputLen + outputLen), MAX_TOKEN_ID);
      used += inputLen + outputLen;
    } else {
      input = rng.fillIntn(new Int32Array(inputLen), MAX_TOKEN_ID);
      output = rng.fillIntn(new Int32Array(outputLen), MAX_TOKEN_ID);
    }
    ctx.reasonRatio?.(rng);
    const req: WorkloadRequest = { id: '', arrival: t, input, output, sessionId };
    if (ctx.tenantId !== '') req.tenantId = ctx.tenantId;
    if (ctx.sloClass !== '') req.sloClass = ctx.sloClass;
    out.push(req);
    t += mt.thinkTimeUs;
    t += outputLen;
  }
  return out;
}
