/**
 * Builds eval/combined_ground_truth.json from the shared dev set
 * (../shared/data/ground_truth/dev.json): every experiment copied as measured, with its
 * provenance, under a header saying where the file came from. Run:
 *   npx tsx tools/convert-dev-ground-truth.ts [dev.json] [out.json]
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { writeFileAtomic } from '../src/fs-atomic.ts';
import { parseGroundTruth } from '../src/groundtruth/load.ts';
import { PACKAGE_ROOT } from '../src/paths.ts';

const from = process.argv[2] ?? join(PACKAGE_ROOT, '..', 'shared', 'data', 'ground_truth', 'dev.json');
const to = process.argv[3] ?? join(PACKAGE_ROOT, 'eval', 'combined_ground_truth.json');
const dev = JSON.parse(readFileSync(from, 'utf8')) as { source: string; set_note: string; schema_notes: unknown; experiments: unknown[] };
const out = {
  format: 'blis-eval ground truth (docs/ground-truth-format.md)',
  provenance: {
    converted_from: 'shared/data/ground_truth/dev.json (the development set of real vLLM measurements)',
    converter: 'tools/convert-dev-ground-truth.ts',
    source: dev.source,
    set_note: dev.set_note,
    schema_notes: dev.schema_notes,
    rule: 'measured values are copied unchanged; nothing here was produced by a simulator',
  },
  experiments: dev.experiments,
};
// Fails loudly if the converted file would not load.
parseGroundTruth(out, to);
writeFileAtomic(to, `${JSON.stringify(out, null, 2)}\n`);
process.stdout.write(`wrote ${to}: ${dev.experiments.length} experiments\n`);
