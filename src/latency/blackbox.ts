import { InputError } from '../errors.ts';
import type { LatencyModel, StepRequest } from './types.ts';

/**
 * BLIS's alpha/beta regression (reference §9.2). Step time counts uncached prefill tokens
 * scheduled this step and the NumNewTokens of decode requests (stale values included, Q2).
 */
export class BlackboxModel implements LatencyModel {
  readonly name = 'blackbox' as const;
  private readonly a0: number;
  private readonly a1: number;
  private readonly a2: number;
  private readonly b0: number;
  private readonly b1: number;
  private readonly b2: number;

  constructor(alpha: readonly number[], beta: readonly number[]) {
    checkCoefficients('alpha', alpha);
    checkCoefficients('beta', beta);
    [this.a0, this.a1, this.a2] = alpha as [number, number, number];
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

  queueingTime(inputLen: number): number {
    return Math.trunc(0 + this.a0 + this.a1 * inputLen);
  }

  outputTokenProcessingTime(): number {
    return Math.trunc(this.a2);
  }

  schedulingProcessingTime(): number {
    return 0;
  }

  preemptionProcessingTime(): number {
    return 0;
  }
}

export function checkCoefficients(name: string, c: readonly number[]): void {
  if (c.length < 3) throw new InputError(`${name} coefficients need at least 3 values, got ${c.length}`);
  if (c.some((v) => !Number.isFinite(v))) throw new InputError(`${name} coefficients must be finite numbers`);
}
