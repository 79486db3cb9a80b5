import type { LatencyModel, StepRequest } from './types.ts';

/**
 * Requests a step does work for: those prefilling and those decoding a token (a finished
 * request with no output left does none).
 */
export function workingRequests(batch: readonly StepRequest[]): number {
  let n = 0;
  for (let i = 0; i < batch.length; i++) {
    const r = batch[i]!;
    if (r.progressIndex < r.inputLen || r.outputLen > 0) n++;
  }
  return n;
}

/**
 * The engine's CPU work per scheduled request and step (ours): scheduling, input preparation,
 * sampling and output processing. A vLLM engine without async scheduling does it between
 * forward passes, so every step takes `micros` µs per working request longer than the GPU
 * does; with async scheduling it runs while the GPU computes the previous step and costs no
 * step time (the caller wraps only a synchronous server's model). 0 returns the model itself.
 */
export function withRequestStepCost(inner: LatencyModel, micros: number): LatencyModel {
  if (!(micros > 0)) return inner;
  const stepTime = (batch: readonly StepRequest[]): number =>
    inner.stepTime(batch) + Math.round(micros * workingRequests(batch));
  // The prototype chain keeps every other member, optional ones included, as the model has
  // them; a breakdown of the inner model alone would no longer sum to the step time.
  return Object.assign(Object.create(inner) as LatencyModel, { stepTime, breakdown: undefined });
}
