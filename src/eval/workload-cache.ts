import { fullBlocks } from '../sim/block-keys.ts';
import type { RequestSource, WorkloadRequest } from '../workload/types.ts';

/**
 * A tuner replays the same workloads for every candidate, and generating one (token IDs,
 * prefix groups, block keys) costs about a tenth of simulating it. A worker keeps each
 * reused replay's requests, block keys included, up to a memory budget; the simulator only
 * reads them, so every run gets the same requests as a fresh generation would give.
 */
const BUDGET_BYTES = 768 * 2 ** 20;

const kept = new Map<string, readonly WorkloadRequest[]>();
let keptBytes = 0;

/** The source under `key`, generated once per worker (while the budget lasts). */
export function reusedSource(key: string, blockSize: number, make: () => RequestSource): RequestSource {
  const hit = kept.get(key);
  if (hit) return hit;
  if (keptBytes >= BUDGET_BYTES) return make();
  const requests: WorkloadRequest[] = [];
  let bytes = 0;
  for (const w of make()) {
    const inputBlocks = fullBlocks(w.input, blockSize);
    // One shape for every kept request, whatever generator made it (the fields the
    // simulator reads, absent ones at the values it takes for absent): the simulator's
    // reads of them stay monomorphic instead of going through every generator's shape.
    const { id, arrival, input, output } = w;
    const [tenantId, sloClass, stage] = [w.tenantId ?? '', w.sloClass ?? '', w.stage ?? -1];
    requests.push({ id, arrival, input, output, tenantId, sloClass, stage, inputBlocks });
    bytes += w.input.byteLength + w.output.byteLength + 2 * inputBlocks.keys.byteLength + 200;
  }
  kept.set(key, requests);
  keptBytes += bytes;
  return requests;
}

/** Forgets every kept replay (tests; a worker otherwise keeps them for its lifetime). */
export function clearReusedSources(): void {
  kept.clear();
  keptBytes = 0;
}
