import { InputError } from '../errors.ts';
import { type CurveHost, DecodeGrid, GemmCurve, MFU_FLOOR, PrefillCurve } from './curves.ts';
import {
  type AttentionShape,
  attentionKey,
  type BenchData,
  type GemmPoint,
  parseAttentionKey,
} from './tables.ts';

export { DecodeGrid, GemmCurve, MFU_FLOOR, PrefillCurve } from './curves.ts';

/**
 * How a GEMM shape outside the measured ones finds a table (see gemmCurve): `clamp` (ours)
 * clamps each dimension to its measured range and keeps the others; `blis` is BLIS's v2 rule,
 * which takes the largest measured pair when no pair covers the shape, replacing a dimension
 * that was inside the range (K 11008 N 4096 → K 8192 N 11008). `run` keeps `blis` for parity.
 */
export const GEMM_FALLBACKS = ['clamp', 'blis'] as const;
export type GemmFallback = (typeof GEMM_FALLBACKS)[number];

export interface MfuDatabaseOptions {
  /** Called once per distinct fallback (shape, TP, zero-MFU region); the database never prints. */
  readonly onWarning?: (message: string) => void;
  /** Names the data set in messages, e.g. `bench_data/h100`. */
  readonly label?: string;
  /** Default `clamp`. */
  readonly gemmFallback?: GemmFallback;
}

/** One measured (K, N) weight shape: its rows sorted by M. */
interface GemmPair {
  readonly k: number;
  readonly n: number;
  readonly ms: Float64Array;
  readonly mfus: Float64Array;
}

const clamp = (v: number, [lo, hi]: readonly [number, number]) => Math.min(Math.max(v, lo), hi);

/**
 * BLIS's MFU database (reference §9.5): GEMM MFU by (M, K, N), prefill attention MFU by
 * sequence length, decode attention MFU by (batch, KV length, TP). Lookups on hot paths go
 * through the curve/grid objects, which are resolved once per model and do not allocate.
 */
export class MfuDatabase implements CurveHost {
  readonly label: string;
  readonly warnings: string[] = [];
  private readonly warned = new Set<string>();
  private readonly onWarning: ((message: string) => void) | undefined;
  private readonly gemmFallback: GemmFallback;
  /** The measured range of K and of N: [min, max]. */
  private readonly kRange: readonly [number, number];
  private readonly nRange: readonly [number, number];
  private readonly gemmPoints: readonly GemmPoint[];
  /** (K, N) pairs in first-seen order, with their rows sorted by M. */
  private readonly gemmPairs: GemmPair[] = [];
  private readonly gemmCurves = new Map<string, GemmCurve>();
  private readonly prefillCurves = new Map<string, PrefillCurve>();
  private readonly decodeGrids = new Map<string, DecodeGrid>();

  constructor(
    private readonly data: BenchData,
    opts: MfuDatabaseOptions = {},
  ) {
    this.label = opts.label ?? 'bench data';
    this.onWarning = opts.onWarning;
    this.gemmFallback = opts.gemmFallback ?? 'clamp';
    this.gemmPoints = data.gemm.points;
    if (this.gemmPoints.length === 0) throw new InputError(`${this.label}: no GEMM measurements`);
    const byPair = new Map<string, GemmPoint[]>();
    for (const p of this.gemmPoints) {
      const key = `${p.k}x${p.n}`;
      const list = byPair.get(key);
      if (list) list.push(p);
      else byPair.set(key, [p]);
    }
    for (const rows of byPair.values()) {
      rows.sort((a, b) => a.m - b.m);
      const first = rows[0]!;
      this.gemmPairs.push({
        k: first.k,
        n: first.n,
        ms: Float64Array.from(rows, (r) => r.m),
        mfus: Float64Array.from(rows, (r) => r.mfu),
      });
    }
    // Deterministic tie-breaking (BLIS's depends on Go map order): ascending K, then N.
    this.gemmPairs.sort((a, b) => a.k - b.k || a.n - b.n);
    const range = (v: number[]) => [Math.min(...v), Math.max(...v)] as const;
    this.kRange = range(this.gemmPairs.map((p) => p.k));
    this.nRange = range(this.gemmPairs.map((p) => p.n));
  }

  /** Reports a fallback once per id. */
  warnOnce(id: string, message: string): void {
    if (this.warned.has(id)) return;
    this.warned.add(id);
    const text = `${this.label}: ${message}`;
    this.warnings.push(text);
    this.onWarning?.(text);
  }

  /**
   * The GEMM curve for a K×N weight: the measured (K', N') with K' ≥ K and N' ≥ N closest in
   * (K'−K)² + (N'−N)². With none: under `blis`, the largest measured pair by K'² + N'²; under
   * `clamp`, the same search for K and N each clamped to its measured range (a dimension inside
   * it is kept), and where the table is too sparse for a pair to cover even that, the pair
   * nearest to it.
   */
  gemmCurve(k: number, n: number): GemmCurve {
    const id = `${k}x${n}`;
    const cached = this.gemmCurves.get(id);
    if (cached) return cached;
    let best = this.covering(k, n);
    if (best === undefined) {
      const [kc, nc] = [clamp(k, this.kRange), clamp(n, this.nRange)];
      best =
        this.gemmFallback === 'blis'
          ? this.nearest((p) => -(p.k * p.k + p.n * p.n))
          : (this.covering(kc, nc) ?? this.nearest((p) => (p.k - kc) ** 2 + (p.n - nc) ** 2));
      this.warnOnce(
        `gemm-shape:${id}`,
        `GEMM K=${k} N=${n} exceeds every measured shape; using K=${best.k} N=${best.n}`,
      );
    }
    const curve = new GemmCurve(this, k, n, best.ms, best.mfus);
    this.gemmCurves.set(id, curve);
    return curve;
  }

  /** The pair with K' ≥ k and N' ≥ n nearest to (k, n), or undefined. */
  private covering(k: number, n: number): GemmPair | undefined {
    let best: GemmPair | undefined;
    let bestD = Number.POSITIVE_INFINITY;
    for (const p of this.gemmPairs) {
      if (p.k < k || p.n < n) continue;
      const d = (p.k - k) ** 2 + (p.n - n) ** 2;
      if (d < bestD) {
        bestD = d;
        best = p;
      }
    }
    return best;
  }

  /** The pair of least cost (the first, in K then N order, on ties). */
  private nearest(cost: (p: GemmPair) => number): GemmPair {
    let best = this.gemmPairs[0]!;
    let bestC = cost(best);
    for (const p of this.gemmPairs) {
      const c = cost(p);
      if (c < bestC) {
        bestC = c;
        best = p;
      }
    }
    return best;
  }

  gemmMfu(m: number, k: number, n: number): number {
    return this.gemmCurve(k, n).at(m);
  }

  /** The globally nearest GEMM row in (M, K, N) with non-zero MFU, or the floor if none. */
  nearestNonZeroGemm(m: number, k: number, n: number): number {
    let best = MFU_FLOOR;
    let bestD = Number.POSITIVE_INFINITY;
    for (const p of this.gemmPoints) {
      if (!(p.mfu > 0)) continue;
      const d = (p.m - m) ** 2 + (p.k - k) ** 2 + (p.n - n) ** 2;
      if (d < bestD) {
        bestD = d;
        best = p.mfu;
      }
    }
    return Math.max(best, MFU_FLOOR);
  }

  /**
   * The attention key used for a model: its own `"H-KV-hd"` when a prefill table has it, else
   * the prefill key nearest in Euclidean (H, KV, hd). The same key serves decode; when decode
   * has no table under it the nearest decode key is used (our rule; BLIS would fail).
   */
  attentionKeys(shape: AttentionShape): { prefill: string; decode: string } {
    const own = attentionKey(shape);
    const prefill = this.nearestKey(own, shape, [...this.data.prefill.keys()], 'prefill');
    const decode = this.data.decode.has(prefill)
      ? prefill
      : this.nearestKey(own, shape, [...this.data.decode.keys()], 'decode');
    return { prefill, decode };
  }

  private nearestKey(own: string, shape: AttentionShape, keys: string[], kind: string): string {
    if (keys.includes(own)) return own;
    let best: string | undefined;
    let bestD = Number.POSITIVE_INFINITY;
    for (const key of [...keys].sort()) {
      const s = parseAttentionKey(key);
      if (!s) continue;
      const d =
        (s.heads - shape.heads) ** 2 + (s.kvHeads - shape.kvHeads) ** 2 + (s.headDim - shape.headDim) ** 2;
      if (d < bestD) {
        bestD = d;
        best = key;
      }
    }
    if (best === undefined) throw new InputError(`${this.label}: no ${kind} attention tables`);
    this.warnOnce(`${kind}-key:${own}`, `no ${kind} attention table for ${own}; using nearest shape ${best}`);
    return best;
  }

  prefillCurve(key: string): PrefillCurve {
    const cached = this.prefillCurves.get(key);
    if (cached) return cached;
    const table = this.data.prefill.get(key);
    if (!table) throw new InputError(`${this.label}: no prefill attention table for ${key}`);
    const rows = [...table.points].sort((a, b) => a.seqLen - b.seqLen);
    const curve = new PrefillCurve(
      this,
      key,
      Float64Array.from(rows, (r) => r.seqLen),
      Float64Array.from(rows, (r) => r.mfu),
    );
    this.prefillCurves.set(key, curve);
    return curve;
  }

  prefillMfu(key: string, seqLen: number): number {
    return this.prefillCurve(key).at(seqLen);
  }

  /** The decode grid for `key` at this TP, or at the nearest measured TP (the smaller on ties). */
  decodeGrid(key: string, tp: number): DecodeGrid {
    const id = `${key}@${tp}`;
    const cached = this.decodeGrids.get(id);
    if (cached) return cached;
    const byTp = this.data.decode.get(key);
    if (!byTp || byTp.size === 0)
      throw new InputError(`${this.label}: no decode attention tables for ${key}`);
    let table = byTp.get(tp);
    if (!table) {
      let bestTp = 0;
      let bestD = Number.POSITIVE_INFINITY;
      for (const t of [...byTp.keys()].sort((a, b) => a - b)) {
        if (Math.abs(t - tp) < bestD) {
          bestD = Math.abs(t - tp);
          bestTp = t;
        }
      }
      table = byTp.get(bestTp)!;
      this.warnOnce(
        `decode-tp:${id}`,
        `no decode attention table for ${key} at TP ${tp}; using TP ${bestTp}`,
      );
    }
    const grid = new DecodeGrid(this, `${key} TP ${tp}`, table);
    this.decodeGrids.set(id, grid);
    return grid;
  }

  decodeMfu(key: string, batch: number, kvLen: number, tp: number): number {
    return this.decodeGrid(key, tp).at(batch, kvLen);
  }
}
