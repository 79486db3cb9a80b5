import type { ExportNotes, ModelAccuracy, SubsetAccuracy, ValueGroup } from '../export/types.ts';
import type { Metric } from '../groundtruth/experiment.ts';
import { pct } from './format.ts';

export interface ExportSummary extends ExportNotes {
  /** e.g. "blis-v0.6.1-roofline (roofline-v2) from hardware_config.json -> out.json". */
  readonly headline: string;
  /** Every GPU of the source, so a field every GPU holds reads "all N GPUs". */
  readonly gpus: readonly string[];
  /** Null when not measured (--no-measure). */
  readonly accuracy: SubsetAccuracy | null;
}

const LABELS: Readonly<Partial<Record<Metric, string>>> = {
  e2e_mean: 'E2E',
  ttft_mean: 'TTFT',
  itl_mean: 'ITL',
};

/** What `blis-eval export` says on stderr: what BLIS will not compute, and what it costs. */
export function renderExportSummary(s: ExportSummary): string {
  const where = (g: ValueGroup) =>
    s.gpus.length > 1 && g.where.length === s.gpus.length ? `all ${s.gpus.length} GPUs` : g.where.join(', ');
  const values = (vs: readonly ValueGroup[]) => vs.map((g) => `${g.value} (${where(g)})`).join('; ');
  const lines = [`export ${s.headline}`];
  if (s.lost.length > 0) {
    lines.push('left out (BLIS cannot represent them; the exported model computes without them):');
    for (const f of s.lost) lines.push(`  ${f.field} = ${values(f.values)}`, `      ${f.meaning}`);
  } else {
    lines.push('left out: nothing (every field of the model is in the export)');
  }
  if (s.carried.length > 0) {
    lines.push('carried by BLIS run flags (the file cannot hold them):');
    for (const f of s.carried) lines.push(`  ${f.field}: ${values(f.values)}`);
  }
  for (const n of s.notes) lines.push(`note: ${n}`);
  if (s.accuracy !== null) lines.push(...accuracyLines(s.accuracy));
  return `${lines.join('\n')}\n`;
}

function accuracyLines(a: SubsetAccuracy): string[] {
  const metrics = a.full.metrics.map((m) => m.metric);
  const head = ['model', 'ok', ...metrics.map((m) => LABELS[m] ?? m)];
  const row = (label: string, m: ModelAccuracy) => [
    label,
    String(m.counts.ok),
    ...metrics.map((metric) => pct(m.metrics.find((x) => x.metric === metric)?.mape)),
  ];
  const rows = [head, row('full', a.full)];
  if (a.exported !== null) rows.push(row('exported', a.exported));
  const widths = head.map((_, i) => Math.max(...rows.map((r) => r[i]!.length)));
  const table = rows.map(
    (r) => `  ${r.map((c, i) => (i === 0 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join('  ')}`,
  );
  const out = [
    `accuracy on ${a.groundTruth} (${a.latencyModel}; MAPE over the ok whole-run points):`,
    ...table,
  ];
  if (a.exported === null) out.push('  exported = full: the export carries the whole model');
  if (!a.complete) out.push('  INCOMPLETE: interrupted');
  return out;
}
