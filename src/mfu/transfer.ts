/**
 * MFU tables for a GPU that has none, derived from a measured GPU's (ours). Every measured
 * kernel is assumed to reach the same fraction of its roofline bound on the target as on
 * the source: with F its FLOPs, B its bytes, P the 16-bit peak and BW the memory bandwidth,
 * the bound is max(F/P, B/BW) and
 *
 *     MFU_target = MFU_source · max(1, ρ_source) / max(1, ρ_target),   ρ = (B·P) / (F·BW)
 *
 * (ρ > 1: memory-bound). A kernel compute-bound on both GPUs keeps its MFU (the ratio of
 * peaks scales its time); one memory-bound on both scales its MFU by the ratio of the GPUs'
 * bandwidth-to-compute ratios (the ratio of bandwidths scales its time); one that crosses the
 * ridge moves between the two. F and B per row, 16-bit operands, as roofline-v2 counts them:
 *
 *     GEMM (M, K, N):            F = 2·M·K·N             B = 2·(M·K + K·N + M·N)
 *     prefill attention (S):     F = 4·H·hd·S² / 1.8     B = 2·S·hd·(2·H + 2·KV)
 *     decode attention (b, L):   F = b·4·H·hd·L          B = b·2·(2·KV·hd·L + 2·H·hd)
 *
 * with H, KV, hd from the table's key. Pure: tables in, tables out.
 */
import type { BenchData, DecodePoint, GemmPoint, PrefillPoint, SourcedTable } from './tables.ts';
import { parseAttentionKey } from './tables.ts';

/** A GPU's 16-bit peak (TFLOP/s) and memory bandwidth (TB/s), from its hardware-config entry. */
export interface GpuPeaks {
  readonly tflops: number;
  readonly bwTBs: number;
}

export const TRANSFER_RULE =
  'each measured kernel keeps its fraction of the roofline bound max(FLOPs/peak, bytes/bandwidth): ' +
  'MFU_target = MFU_source x max(1, rho_source) / max(1, rho_target), rho = bytes x peak / (FLOPs x bandwidth)';

/** ρ of a kernel on a GPU: above 1 it is memory-bound there. */
const rho = (flops: number, bytes: number, g: GpuPeaks) => (bytes * g.tflops) / (flops * g.bwTBs);

/** One row's MFU moved from `from` to `to`. */
export function transferMfu(mfu: number, flops: number, bytes: number, from: GpuPeaks, to: GpuPeaks): number {
  return (mfu * Math.max(1, rho(flops, bytes, from))) / Math.max(1, rho(flops, bytes, to));
}

function table<T extends { readonly mfu: number }>(
  t: SourcedTable<T>,
  label: string,
  scale: (p: T) => number,
): SourcedTable<T> {
  return { source: `${t.source} (${label})`, points: t.points.map((p) => ({ ...p, mfu: scale(p) })) };
}

/** Every table of `data`, measured on `from`, as `to` would run it (see the rule above). */
export function transferBenchData(data: BenchData, from: GpuPeaks, to: GpuPeaks, label: string): BenchData {
  const gemm = table(data.gemm, label, (p: GemmPoint) =>
    transferMfu(p.mfu, 2 * p.m * p.k * p.n, 2 * (p.m * p.k + p.k * p.n + p.m * p.n), from, to),
  );
  const prefill = new Map<string, SourcedTable<PrefillPoint>>();
  for (const [key, t] of data.prefill) {
    const s = parseAttentionKey(key);
    if (s === undefined) continue;
    prefill.set(
      key,
      table(t, label, (p) => {
        const flops = (4 * s.heads * s.headDim * p.seqLen * p.seqLen) / 1.8;
        const bytes = 2 * p.seqLen * s.headDim * (2 * s.heads + 2 * s.kvHeads);
        return transferMfu(p.mfu, flops, bytes, from, to);
      }),
    );
  }
  const decode = new Map<string, Map<number, SourcedTable<DecodePoint>>>();
  for (const [key, byTp] of data.decode) {
    const s = parseAttentionKey(key);
    if (s === undefined) continue;
    const out = new Map<number, SourcedTable<DecodePoint>>();
    for (const [tp, t] of byTp) {
      out.set(
        tp,
        table(t, label, (p) => {
          const flops = p.batch * 4 * s.heads * s.headDim * p.kvLen;
          const bytes = p.batch * 2 * (2 * s.kvHeads * s.headDim * p.kvLen + 2 * s.heads * s.headDim);
          return transferMfu(p.mfu, flops, bytes, from, to);
        }),
      );
    }
    decode.set(key, out);
  }
  return { gemm, prefill, decode };
}
