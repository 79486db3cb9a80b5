import type { RequestRecord } from '../sim/request-log.ts';

/** What the evaluator reads of a simulated request to compute a point's metrics. */
export type ClientRequest = Pick<
  RequestRecord,
  'completed' | 'stage' | 'arrival' | 'ttft' | 'e2e' | 'inputLen' | 'outputLen'
>;

/**
 * The requests as a client saw them that counted `counted` output tokens of each (the server,
 * told to ignore EOS, generated and streamed all of its own; the client re-counted another
 * number from the text): E2E still ends at the last streamed token, only the output length is
 * the counted one, so ITL = (E2E − TTFT) / (counted − 1) as the client computed it.
 */
export function clientCounted(requests: readonly RequestRecord[], counted: number): ClientRequest[] {
  const seen = Math.max(1, counted);
  return requests.map((r) => (r.outputLen === seen ? r : { ...r, outputLen: seen }));
}
