import { NoProgressError } from '../errors.ts';
import type { LatencyModel } from '../latency/types.ts';
import type { RequestSource } from '../workload/types.ts';
import { EV_STEP, Instance, type InstanceConfig } from './instance.ts';
import { SimRequest } from './request.ts';

/**
 * BLIS's single-instance `Simulator.Run()` (reference §3.3): every arrival is pushed up
 * front at its arrival time, and the first event past the horizon is still executed.
 * The CLI always uses the cluster path; this one backs the equivalence tests.
 */
export function runSingle(
  cfg: InstanceConfig,
  latency: LatencyModel,
  source: RequestSource,
  horizon: number,
): Instance {
  const inst = new Instance('instance_0', cfg, latency);
  for (const w of source) inst.inject(new SimRequest(w), w.arrival);
  while (inst.pendingEvents > 0) {
    const kind = inst.processNext();
    if (inst.clock > horizon) break;
    if (kind === EV_STEP && inst.stalled && inst.inbound === 0 && horizon === Number.POSITIVE_INFINITY) {
      throw new NoProgressError(
        `simulation cannot progress on ${inst.id}: requests wait and none can get KV blocks`,
      );
    }
  }
  return inst;
}
