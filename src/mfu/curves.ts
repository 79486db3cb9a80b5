import { axisOf, bilinearClamped, linearClamped } from './interpolate.ts';
import type { DecodePoint, SourcedTable } from './tables.ts';

/** Every MFU has this floor; a lookup below it falls back to the nearest non-zero measurement. */
export const MFU_FLOOR = 0.0001;

/** What a curve needs from its database: warn-once reporting and the global GEMM fallback. */
export interface CurveHost {
  warnOnce(id: string, message: string): void;
  nearestNonZeroGemm(m: number, k: number, n: number): number;
}

/**
 * Lookup objects resolved once per model shape. `at()` runs inside every simulated step: no
 * allocation, and each curve reports its fallback once (a flag, so no string is built per call).
 */
export class GemmCurve {
  private warned = false;

  constructor(
    private readonly db: CurveHost,
    readonly k: number,
    readonly n: number,
    /** Measured M values, ascending. */
    readonly ms: Float64Array,
    private readonly mfus: Float64Array,
  ) {}

  /** MFU at M tokens: linear in M between measured points, clamped at the ends. */
  at(m: number): number {
    const v = linearClamped(this.ms, this.mfus, m);
    if (v >= MFU_FLOOR) return v;
    if (!this.warned) {
      this.warned = true;
      this.db.warnOnce(
        `gemm-zero:${this.k}x${this.n}`,
        `GEMM MFU ~0 for K=${this.k} N=${this.n}; using nearest non-zero row`,
      );
    }
    return this.db.nearestNonZeroGemm(m, this.k, this.n);
  }
}

export class PrefillCurve {
  private warned = false;

  constructor(
    private readonly db: CurveHost,
    private readonly key: string,
    /** Measured sequence lengths, ascending. */
    readonly seqs: Float64Array,
    private readonly mfus: Float64Array,
  ) {}

  at(seqLen: number): number {
    const v = linearClamped(this.seqs, this.mfus, seqLen);
    if (v >= MFU_FLOOR) return v;
    if (!this.warned) {
      this.warned = true;
      this.db.warnOnce(
        `prefill-zero:${this.key}`,
        `prefill MFU ~0 for ${this.key}; using nearest non-zero seq_len`,
      );
    }
    let best = MFU_FLOOR;
    let bestD = Number.POSITIVE_INFINITY;
    for (let i = 0; i < this.seqs.length; i++) {
      const d = Math.abs(this.seqs[i]! - seqLen);
      if (this.mfus[i]! > 0 && d < bestD) {
        bestD = d;
        best = this.mfus[i]!;
      }
    }
    return Math.max(best, MFU_FLOOR);
  }
}

export class DecodeGrid {
  private warned = false;
  /** Measured batch sizes and KV lengths, ascending. */
  readonly bs: Float64Array;
  readonly kv: Float64Array;
  private readonly grid: Float64Array;
  /** Non-zero rows as (batch, kv, mfu) triples, for the nearest non-zero fallback. */
  private readonly nonZero: Float64Array;

  constructor(
    private readonly db: CurveHost,
    private readonly label: string,
    table: SourcedTable<DecodePoint>,
  ) {
    this.bs = axisOf(table.points.map((p) => p.batch));
    this.kv = axisOf(table.points.map((p) => p.kvLen));
    this.grid = new Float64Array(this.bs.length * this.kv.length);
    const nz: number[] = [];
    for (const p of table.points) {
      this.grid[this.bs.indexOf(p.batch) * this.kv.length + this.kv.indexOf(p.kvLen)] = p.mfu;
      if (p.mfu > 0) nz.push(p.batch, p.kvLen, p.mfu);
    }
    this.nonZero = Float64Array.from(nz);
  }

  /** Bilinear in (batch, KV length) with missing corners as 0; below the floor, nearest non-zero row. */
  at(batch: number, kvLen: number): number {
    const v = bilinearClamped(this.bs, this.kv, this.grid, batch, kvLen);
    if (v >= MFU_FLOOR) return v;
    if (!this.warned) {
      this.warned = true;
      this.db.warnOnce(
        `decode-zero:${this.label}`,
        `decode MFU ~0 in ${this.label}; using nearest non-zero row`,
      );
    }
    let best = MFU_FLOOR;
    let bestD = Number.POSITIVE_INFINITY;
    const nz = this.nonZero;
    for (let i = 0; i < nz.length; i += 3) {
      const d = (nz[i]! - batch) ** 2 + (nz[i + 1]! - kvLen) ** 2;
      if (d < bestD) {
        bestD = d;
        best = nz[i + 2]!;
      }
    }
    return Math.max(best, MFU_FLOOR);
  }
}
