import { Document, isSeq } from 'yaml';
import { coefficientFlags, type TrainedPhysicsExport } from './trained-physics.ts';

/**
 * defaults.yaml's `trained_physics_coefficients` block (BLIS v0.7.1), with the same set as run
 * flags and each GPU's own set as that GPU's flags in the comment above it.
 */
export function renderTrainedPhysicsFile(x: TrainedPhysicsExport, header: string): string {
  const doc = new Document({
    trained_physics_coefficients: { alpha_coeffs: [...x.global.alpha], beta_coeffs: [...x.global.beta] },
  });
  const lines = [
    header,
    'BLIS slot order: beta = b1a, b2a, b3, b4, b5, b6, b7, b8, b1b, b2b; alpha = a0, a1, a2 (µs).',
    'The block for defaults.yaml (one global set); as run flags:',
    `  ${coefficientFlags(x.global)}`,
  ];
  if (x.perGpu.length > 0) {
    lines.push('GPUs with their own set (defaults.yaml holds one; pass these flags on their runs):');
    for (const g of x.perGpu) lines.push(`  ${g.where.join(', ')}: ${g.value}`);
  }
  doc.commentBefore = lines.map((l) => ` ${l}`).join('\n');
  for (const key of ['alpha_coeffs', 'beta_coeffs']) {
    const seq = doc.getIn(['trained_physics_coefficients', key], true);
    if (isSeq(seq)) seq.flow = true;
  }
  return doc.toString({ lineWidth: 0, flowCollectionPadding: false });
}
