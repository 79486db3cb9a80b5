import type { KVCache } from './kv-cache.ts';

export interface CpuTierConfig {
  cpuBlocks: number;
  offloadThreshold: number;
  /** Blocks per tick. */
  transferBandwidth: number;
  transferBaseLatency: number;
}

interface Offloaded {
  hash: number;
  stA: number;
  stB: number;
  fill: number;
  offloadedAt: number;
}

const THRASH_WINDOW_TICKS = 1000;

/**
 * The CPU tier of BLIS's tiered KV cache (reference §5.7): offloads hashed free GPU blocks
 * under pressure and reloads them, at a transfer cost, when a GPU allocation fails.
 */
export class CpuTier {
  clock = 0;
  pendingLatency = 0;
  offloads = 0;
  thrashes = 0;
  cpuHits = 0;
  cpuMisses = 0;
  /** Original GPU block ID → offloaded copy. */
  private readonly blocks = new Map<number, Offloaded>();

  constructor(private readonly cfg: CpuTierConfig) {}

  /** After each release: offload while GPU utilisation is above the threshold. */
  afterRelease(gpu: KVCache): void {
    while (
      gpu.usedBlocks / gpu.totalBlocks > this.cfg.offloadThreshold &&
      this.blocks.size < this.cfg.cpuBlocks
    ) {
      const b = gpu.firstFreeHashed();
      if (b < 0) return;
      this.blocks.set(b, { ...gpu.blockContent(b), offloadedAt: this.clock });
      gpu.stripToTail(b);
      this.offloads++;
    }
  }

  /** On a failed GPU allocation: reload CPU blocks in ascending original-ID order; returns how many. */
  reload(gpu: KVCache): number {
    let reloaded = 0;
    const ids = [...this.blocks.keys()].sort((a, b) => a - b);
    for (const id of ids) {
      const blk = this.blocks.get(id)!;
      if (gpu.hasKey(blk.hash)) continue;
      if (!gpu.restoreBlock(blk.hash, blk.stA, blk.stB, blk.fill)) break;
      this.blocks.delete(id);
      this.pendingLatency +=
        this.cfg.transferBaseLatency + Math.ceil(gpu.blockSize / this.cfg.transferBandwidth);
      if (this.clock - blk.offloadedAt < THRASH_WINDOW_TICKS) this.thrashes++;
      reloaded++;
    }
    this.cpuHits += reloaded;
    if (reloaded === 0) this.cpuMisses++;
    return reloaded;
  }

  consumePendingLatency(): number {
    const v = this.pendingLatency;
    this.pendingLatency = 0;
    return v;
  }

  thrashingRate(): number {
    return this.offloads > 0 ? this.thrashes / this.offloads : 0;
  }
}
