import { AlphaHooks, checkCoefficients } from './alpha.ts';
import type { LatencyModel, StepRequest } from './types.ts';

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

  constructor(alpha: readonly number[], beta: readonly number[]) {
    super(alpha);
    checkCoefficients('beta', beta);
    [this.b0, this.b1, this.b2] = beta as [number, number, number];
  }

  stepTime(batch: readonly StepRequest[]): number {
    let prefill = 0;
    let decode = 0;
    for (let i = 0; i < batch.length; i++) {
      const r = batch[i]!;
      if (r.progressIndex < r.inputLen) prefill += r.numNewTokens;
      else if (r.outputLen > 0) decode += r.numNewTokens;
    }
    return Math.trunc(0 + this.b0 + this.b1 * prefill + this.b2 * decode);
  }
}
