import { InputError } from '../errors.ts';
import type { AttentionWindow } from './arch-features.ts';
import type { LatencyModel, StepRequest } from './types.ts';

/**
 * How a run treats a model's attention window: `model` costs windowed layers by what they
 * attend to (attention-window.ts), `blis` as BLIS does, every layer attending to the whole
 * sequence (BLIS reads no window field). `run` and `step` default to blis for parity; the
 * evaluator, tune and nightly to model.
 */
export const ATTENTION_WINDOW_MODES = ['blis', 'model'] as const;
export type AttentionWindowMode = (typeof ATTENTION_WINDOW_MODES)[number];

/** A model's figures as `mode` sees them: blis drops the window. */
export function windowFor<T extends { readonly attentionWindow?: AttentionWindow }>(
  x: T,
  mode: AttentionWindowMode,
): T {
  if (mode === 'model' || x.attentionWindow === undefined) return x;
  const { attentionWindow: _dropped, ...rest } = x;
  return rest as T;
}

/**
 * The latency model to run: wrapped in the window guard where the config has a window but
 * does not establish which layers use it (AttentionWindow.layers absent).
 */
export function withWindowGuard(
  inner: LatencyModel,
  window: AttentionWindow | undefined,
  model: string,
): LatencyModel {
  return window !== undefined && window.layers === undefined
    ? guardAttentionWindow(inner, window, model)
    : inner;
}

/**
 * A latency model of a windowed model whose windowed layers are not known. The step-time
 * formulas then assume every layer attends to the whole sequence, which is exact while a
 * sequence fits in the window; the first step whose attention reaches past it stops the run
 * with an error naming the window, rather than costing attention the server may not compute.
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
            `past the window on layers the config does not name: a request reached ${end} tokens ` +
            `(prompt ${r.inputLen}, output ${r.outputLen}); --attention-window blis costs it as full attention`,
        );
      }
    }
    return inner.stepTime(batch);
  };
  // The prototype chain keeps every other member, optional ones included, as the model has them.
  return Object.assign(Object.create(inner) as LatencyModel, { stepTime });
}
