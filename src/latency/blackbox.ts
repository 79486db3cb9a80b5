import { AlphaHooks, checkCoefficients } from './alpha.ts';
import { type LatencyModel, type StepBreakdown, type StepRequest, withRounding } from './types.ts';

/**
 * BLIS's alpha/beta regression (reference §9.2). Step time counts uncached prefill tokens
 * scheduled this step and the NumNewTokens of decode requests (stale values included, Q2);
 * queueing and output processing are the alpha hooks shared with the rooflines.
 */
export class BlackboxModel extends AlphaHooks implements LatencyModel {
  readonly name = 'blackbox' as const;
  private readonly b0: number;
  private readonly b1: number;
  private readonly b2: number;
  private readonly scratch = new Float64Array(2);

  constructor(alpha: readonly number[], beta: readonly number[]) {
    super(alpha);
    checkCoefficients('beta', beta);
    [this.b0, this.b1, this.b2] = beta as [number, number, number];
  }

  stepTime(batch: readonly StepRequest[]): number {
    const n = countTokens(batch, this.scratch);
    return Math.trunc(0 + this.b0 + this.b1 * n[0]! + this.b2 * n[1]!);
  }

  /** β0, β1 × prefill tokens, β2 × decode tokens (as summed), then rounding to integer µs. */
  breakdown(batch: readonly StepRequest[]): StepBreakdown {
    const n = countTokens(batch, new Float64Array(2));
    const [prefill, decode] = [n[0]!, n[1]!];
    const parts = { step: this.b0, prefill: this.b1 * prefill, decode: this.b2 * decode };
    return {
      contributions_us: withRounding(this.stepTime(batch), parts),
      counts: { prefill_tokens: prefill, decode_tokens: decode },
    };
  }
}

/** out = [uncached prefill tokens, decode tokens (NumNewTokens)] scheduled this step (no allocation). */
function countTokens(batch: readonly StepRequest[], out: Float64Array): Float64Array {
  let prefill = 0;
  let decode = 0;
  for (let i = 0; i < batch.length; i++) {
    const r = batch[i]!;
    if (r.progressIndex < r.inputLen) prefill += r.numNewTokens;
    else if (r.outputLen > 0) decode += r.numNewTokens;
  }
  out[0] = prefill;
  out[1] = decode;
  return out;
}
