import type { SimRequest } from '../sim/request.ts';

/** What the evaluator reads of a simulated request to compute a point's metrics. */
export type ClientRequest = Pick<
  SimRequest,
  'completed' | 'stage' | 'arrival' | 'ttft' | 'e2e' | 'inputLen' | 'outputLen'
>;

/**
 * The requests as a client saw them that counted `counted` output tokens of each (the server,
 * told to ignore EOS, generated them all; the client re-counted fewer from the streamed text):
 * E2E ends at the last counted token and the output length is the counted one. The decode
 * span is taken as evenly spread over a request's tokens. Requests no longer than `counted`
 * are as simulated.
 */
export function clientCounted(requests: readonly SimRequest[], counted: number): ClientRequest[] {
  const seen = Math.max(1, counted);
  return requests.map((r) => {
    if (r.outputLen <= seen) return r;
    const first = r.ttft - r.ttftLag;
    const e2e = Math.max(r.ttft, r.e2e - ((r.e2e - first) * (r.outputLen - seen)) / (r.outputLen - 1));
    return {
      completed: r.completed,
      stage: r.stage,
      arrival: r.arrival,
      ttft: r.ttft,
      e2e,
      inputLen: r.inputLen,
      outputLen: seen,
    };
  });
}
