import { describe, expect, it } from 'vitest';
import { BLIS_FIELDS, OUR_FIELDS, type RooflineKind, SECTION_FIELDS } from '../../src/export/fields.ts';
import { blisHardwareFiles } from '../support/roofline.ts';

const blisFiles = blisHardwareFiles();
/** BLIS's own files for each kind: v0.6.1's, and its roofline branch's. */
const FILES: Record<RooflineKind, string> = {
  'roofline-v1': 'v0.6.1',
  'roofline-v2': 'roofline-go-and-hypotheses_branch',
};

describe('export field lists', () => {
  it.each(Object.keys(FILES) as RooflineKind[])(
    '%s: BLIS_FIELDS are the latency fields of BLIS’s own file, spelled as BLIS spells them',
    (kind) => {
      for (const entry of Object.values(blisFiles[FILES[kind]]!)) {
        const keys = Object.keys(entry).filter((k) => !k.startsWith('_') && k !== 'MemoryGiB');
        expect(keys).toEqual(BLIS_FIELDS[kind]);
      }
    },
  );

  it.each(Object.keys(FILES) as RooflineKind[])(
    '%s: every field our hardware config holds is BLIS’s or described as ours',
    (kind) => {
      const unexplained = SECTION_FIELDS[kind].filter(
        (f) => !BLIS_FIELDS[kind].includes(f) && OUR_FIELDS[f] === undefined,
      );
      expect(unexplained).toEqual([]);
      // And nothing is both.
      expect(BLIS_FIELDS[kind].filter((f) => OUR_FIELDS[f] !== undefined)).toEqual([]);
    },
  );
});
