import type { BlockPool } from './block-pool.ts';
import type { BlockKeyIndex } from './key-index.ts';

/**
 * What one allocation did to the pool and the key index, so that a failed one can be
 * undone (reference §5.4): the free blocks it took, with the key each had, and the cached
 * blocks it pinned. The arrays are reused between allocations, with counters (hot path).
 */
export class AllocationJournal {
  /** Blocks taken and pinned by the allocation under way. */
  taken = 0;
  pinned = 0;
  private readonly takenBlocks: number[] = [];
  private readonly oldKeys: number[] = [];
  private readonly hadKey: boolean[] = [];
  private readonly pinnedBlocks: number[] = [];
  private readonly wasInUse: boolean[] = [];

  constructor(
    private readonly pool: BlockPool,
    private readonly index: BlockKeyIndex,
  ) {}

  start(): void {
    this.taken = 0;
    this.pinned = 0;
  }

  /** Free block `b` is about to be taken (its key is still its own). */
  take(b: number): void {
    this.hadKey[this.taken] = this.index.isKeyed(b);
    this.oldKeys[this.taken] = this.index.keyOfBlock(b);
    this.takenBlocks[this.taken++] = b;
  }

  pin(c: number, wasInUse: boolean): void {
    this.pinnedBlocks[this.pinned] = c;
    this.wasInUse[this.pinned++] = wasInUse;
  }

  /** Taken blocks get their old keys back and return to the free head, last first; pins are released. */
  undo(): void {
    for (let i = this.taken - 1; i >= 0; i--) {
      const b = this.takenBlocks[i]!;
      this.index.drop(b);
      if (this.hadKey[i]) this.index.assign(b, this.oldKeys[i]!);
      this.pool.untake(b);
    }
    for (let i = this.pinned - 1; i >= 0; i--) this.pool.unpin(this.pinnedBlocks[i]!, this.wasInUse[i]!);
  }
}
