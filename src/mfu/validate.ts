import type { ParsedLayout } from './layouts.ts';
import type { BenchData, SourcedTable } from './tables.ts';

/**
 * Checks of a parsed MFU data set beyond what parsing already enforces (columns, numbers,
 * non-negative MFU, duplicates). Errors make a data set unusable for roofline v2; warnings
 * point at gaps the lookups will paper over with fallbacks.
 */
export interface BenchReport {
  readonly errors: string[];
  readonly warnings: string[];
  readonly summary: string[];
}

function mfuChecks(table: SourcedTable<{ readonly mfu: number }>, report: BenchReport): number {
  const pts = table.points;
  if (pts.every((p) => p.mfu === 0)) report.errors.push(`${table.source}: every MFU is 0`);
  const over = pts.filter((p) => p.mfu > 1).length;
  if (over > 0) report.warnings.push(`${table.source}: ${over} rows have MFU > 1 (above peak)`);
  return pts.filter((p) => p.mfu === 0).length;
}

export function validateBenchData(parsed: ParsedLayout): BenchReport {
  const report: BenchReport = { errors: [], warnings: [], summary: [] };
  for (const f of parsed.unrecognised) report.errors.push(`${f}: not a file of the project layout`);
  const data: BenchData = parsed.data;

  const gemm = data.gemm;
  mfuChecks(gemm, report);
  const pairs = new Map<string, number>();
  for (const p of gemm.points) pairs.set(`${p.k}x${p.n}`, (pairs.get(`${p.k}x${p.n}`) ?? 0) + 1);
  for (const [pair, n] of pairs) {
    if (n < 2) report.warnings.push(`${gemm.source}: K×N ${pair} has a single M point (no interpolation)`);
  }
  const ms = gemm.points.map((p) => p.m);
  report.summary.push(
    `gemm: ${gemm.points.length} rows, ${pairs.size} K×N shapes, M ${Math.min(...ms)}–${Math.max(...ms)}`,
  );

  if (data.prefill.size === 0) {
    report.warnings.push('no prefill attention tables: roofline-v2 cannot be used with this data set');
  }
  for (const [key, t] of [...data.prefill].sort()) {
    mfuChecks(t, report);
    if (!data.decode.has(key)) report.warnings.push(`${t.source}: no decode tables for shape ${key}`);
    const seqs = t.points.map((p) => p.seqLen);
    report.summary.push(
      `prefill ${key}: ${t.points.length} rows, seq_len ${Math.min(...seqs)}–${Math.max(...seqs)}`,
    );
  }
  for (const [key, byTp] of [...data.decode].sort()) {
    if (!data.prefill.has(key) && data.prefill.size > 0) {
      report.warnings.push(`decode shape ${key} has no prefill table; BLIS picks shapes by prefill table`);
    }
    for (const [tp, t] of [...byTp].sort((a, b) => a[0] - b[0])) {
      const zeros = mfuChecks(t, report);
      const bs = new Set(t.points.map((p) => p.batch));
      const kv = new Set(t.points.map((p) => p.kvLen));
      const missing = bs.size * kv.size - t.points.length;
      report.summary.push(
        `decode ${key} TP ${tp}: ${t.points.length} rows (${bs.size} batch × ${kv.size} kv_len` +
          `${missing > 0 ? `, ${missing} cells unmeasured` : ''}${zeros > 0 ? `, ${zeros} zero-MFU rows` : ''})`,
      );
    }
  }
  return report;
}
