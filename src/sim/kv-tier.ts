import type { BlockContent } from './block-content.ts';

/** The GPU cache as the tier reads and changes it (KVCache implements it; the cache owns the tier). */
export interface GpuBlocks {
  readonly totalBlocks: number;
  readonly blockSize: number;
  readonly usedBlocks: number;
  freeCount(): number;
  hasKey(key: number): boolean;
  firstFreeHashed(): number;
  blockContent(b: number): BlockContent & { hash: number };
  stripToTail(b: number): void;
  restoreBlock(key: number, content: BlockContent): boolean;
}

export interface CpuTierConfig {
  cpuBlocks: number;
  offloadThreshold: number;
  /** Blocks per tick. */
  transferBandwidth: number;
  transferBaseLatency: number;
}

interface Offloaded extends BlockContent {
  hash: number;
  offloadedAt: number;
}

/** BLIS v0.6.1's flag defaults of the tier (`--kv-offload-threshold` …), besides its size. */
export const CPU_TIER_DEFAULTS = {
  offloadThreshold: 0.9,
  transferBandwidth: 100,
  transferBaseLatency: 0,
} as const;

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
  /** Keys of `blocks` in ascending order, rebuilt only after a change. */
  private sortedIds: number[] | null = null;

  constructor(private readonly cfg: CpuTierConfig) {}

  /** After each release: offload while GPU utilisation is above the threshold. */
  afterRelease(gpu: GpuBlocks): void {
    while (
      gpu.usedBlocks / gpu.totalBlocks > this.cfg.offloadThreshold &&
      this.blocks.size < this.cfg.cpuBlocks
    ) {
      const b = gpu.firstFreeHashed();
      if (b < 0) return;
      this.blocks.set(b, { ...gpu.blockContent(b), offloadedAt: this.clock });
      this.sortedIds = null;
      gpu.stripToTail(b);
      this.offloads++;
    }
  }

  /** On a failed GPU allocation: reload CPU blocks in ascending original-ID order; returns how many. */
  reload(gpu: GpuBlocks): number {
    let reloaded = 0;
    // With no free GPU block the first block not already on the GPU stops the loop, so
    // nothing can reload: skip the scan (hot when a KV leak has filled the pool).
    if (gpu.freeCount() === 0 || this.blocks.size === 0) {
      this.cpuMisses++;
      return 0;
    }
    if (this.sortedIds === null) this.sortedIds = [...this.blocks.keys()].sort((a, b) => a - b);
    for (const id of this.sortedIds) {
      const blk = this.blocks.get(id)!;
      if (gpu.hasKey(blk.hash)) continue;
      if (!gpu.restoreBlock(blk.hash, blk)) break;
      this.blocks.delete(id);
      this.sortedIds = null;
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
