import { InputError } from '../errors.ts';
import type { AttentionWindow } from './arch-features.ts';
import type { LatencyModel, StepRequest } from './types.ts';

/**
 * A latency model of a sliding-window (or chunked-attention) model. The step-time formulas
 * assume every layer attends to the whole sequence, which is exact while a sequence fits in
 * the window; the first step whose attention reaches past it stops the run with an error
 * naming the window, rather than silently costing attention the server does not compute.
 * Every other hook is the wrapped model's.
 */
export function guardAttentionWindow(
  inner: LatencyModel,
  window: AttentionWindow,
  model: string,
): LatencyModel {
  const stepTime = (batch: readonly StepRequest[]): number => {
    for (let i = 0; i < batch.length; i++) {
      const r = batch[i]!;
      // Positions this step attends over: the prompt chunk's end, or the new decode token's.
      const end = r.progressIndex + (r.progressIndex < r.inputLen ? r.numNewTokens : 1);
      if (end > window.tokens) {
        throw new InputError(
          `${model}: ${window.kind} (${window.tokens} tokens) is not modelled by ${inner.name} ` +
            `past the window: a request reached ${end} tokens (prompt ${r.inputLen}, output ${r.outputLen})`,
        );
      }
    }
    return inner.stepTime(batch);
  };
  // The prototype chain keeps every other member, optional ones included, as the model has them.
  return Object.assign(Object.create(inner) as LatencyModel, { stepTime });
}
