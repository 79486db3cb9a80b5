import { SimRequest } from '../../src/sim/request.ts';

let counter = 0;

/** A request with the given input/output tokens (numbers) for unit tests. */
export function req(
  input: number[],
  output: number[] = [],
  arrival = 0,
  id = `request_${counter++}`,
): SimRequest {
  return new SimRequest({ id, arrival, input: Int32Array.from(input), output: Int32Array.from(output) });
}

/** `n` distinct tokens starting at `from`. */
export function tokens(n: number, from = 1): number[] {
  return Array.from({ length: n }, (_, i) => from + i);
}
