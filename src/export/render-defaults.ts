import { Document, isMap, isSeq } from 'yaml';
import type { DefaultsExport } from './defaults.ts';

/**
 * BLIS's defaults.yaml: version, defaults, workloads, models; coefficient arrays in flow
 * style as BLIS writes them, a row's provenance as the comment above it.
 */
export function renderDefaultsFile(x: DefaultsExport, header: string): string {
  const doc = new Document({ ...x.file, models: x.rows.map((r) => r.row) });
  doc.commentBefore = ` ${header}`;
  const models = doc.get('models');
  if (isSeq(models)) {
    models.items.forEach((node, i) => {
      if (!isMap(node)) return;
      const comment = x.rows[i]?.comment;
      if (comment !== undefined) node.commentBefore = ` ${comment}`;
      for (const key of ['alpha_coeffs', 'beta_coeffs']) {
        const arr = node.get(key, true);
        if (isSeq(arr)) arr.flow = true;
      }
    });
  }
  return doc.toString({ lineWidth: 0, flowCollectionPadding: false });
}
