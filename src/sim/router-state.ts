import type { Instance } from './instance.ts';

/** What routing and admission see of one instance (reference §11.3). */
export interface InstanceSnapshot {
  index: number;
  id: string;
  queueDepth: number;
  batchSize: number;
  kvUtilization: number;
  freeKVBlocks: number;
  cacheHitRate: number;
  pendingRequests: number;
}

export function effectiveLoad(s: InstanceSnapshot): number {
  return s.queueDepth + s.batchSize + s.pendingRequests;
}

/**
 * Builds router snapshots. Queue depth, batch size and pending counts are always live;
 * KV figures are refreshed only every `refreshInterval` µs when it is > 0.
 */
export class RouterStateProvider {
  private lastRefresh = 0;
  private readonly kvView: { util: number; free: number; hit: number }[];

  constructor(
    private readonly instances: readonly Instance[],
    private readonly refreshInterval: number,
  ) {
    this.kvView = instances.map((inst) => ({ util: 0, free: inst.kv.totalBlocks, hit: 0 }));
  }

  /** Refreshes the KV view when due: every admission and routing event's clock counts. */
  refresh(clock: number): void {
    if (this.refreshInterval > 0 && clock - this.lastRefresh >= this.refreshInterval) {
      this.lastRefresh = clock;
      this.instances.forEach((inst, i) => {
        this.kvView[i] = readKV(inst);
      });
    }
  }

  /** The snapshots routing sees at `clock` (after `refresh(clock)`). */
  build(clock: number): InstanceSnapshot[] {
    this.refresh(clock);
    const live = this.refreshInterval <= 0;
    return this.instances.map((inst, i) => {
      const kv = live ? readKV(inst) : this.kvView[i]!;
      return {
        index: i,
        id: inst.id,
        queueDepth: inst.waitQ.length,
        batchSize: inst.running.length,
        kvUtilization: kv.util,
        freeKVBlocks: kv.free,
        cacheHitRate: kv.hit,
        pendingRequests: inst.inbound,
      };
    });
  }
}

function readKV(inst: Instance): { util: number; free: number; hit: number } {
  const kv = inst.kv;
  return { util: kv.usedBlocks / kv.totalBlocks, free: kv.freeCount(), hit: kv.hitRate() };
}
