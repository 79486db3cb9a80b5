import { InputError } from '../errors.ts';

/** Shared by every latency model: BLIS's alpha hooks (queueing, output processing) and the zero hooks. */
export abstract class AlphaHooks {
  private readonly a0: number;
  private readonly a1: number;
  private readonly a2: number;
  readonly ttftDecodeSteps: number;

  constructor(alpha: readonly number[] | undefined, ttftDecodeSteps = 0) {
    const a = alpha ?? [0, 0, 0];
    checkCoefficients('alpha', a);
    [this.a0, this.a1, this.a2] = a as [number, number, number];
    // At most one step, so the first token is never seen after the last (TTFT <= E2E).
    if (!(ttftDecodeSteps >= 0 && ttftDecodeSteps <= 1)) {
      throw new InputError(`ttftDecodeSteps must be between 0 and 1, got ${ttftDecodeSteps}`);
    }
    this.ttftDecodeSteps = ttftDecodeSteps;
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
