import { PEAK_FIELDS, V1_FIELDS, V1_REQUIRED, V2_FIELDS } from '../config/hardware-config.ts';

export type RooflineKind = 'roofline-v1' | 'roofline-v2';

/**
 * The fields BLIS's roofline reads from a flat hardware_config.json entry, in the order of
 * its own files (reference §9.3, §12.1): v0.6.1's roofline v1, and roofline v2 of the branch
 * built on v0.6.1 (roofline-go-and-hypotheses). `MemoryGiB` (informational there; our KV-block
 * derivation reads it) is kept after them.
 */
export const BLIS_FIELDS: Readonly<Record<RooflineKind, readonly string[]>> = {
  'roofline-v1': ['TFlopsPeak', 'BwPeakTBs', ...V1_REQUIRED],
  'roofline-v2': ['TFlopsPeak', 'BwPeakTBs', 'bwEfficiencyFactor', 'perLayerOverhead'],
};

/**
 * The names BLIS's own files give a GPU where they differ from our canonical key (reference
 * §12.1): its hardware_config.json has `A100-SXM` and `A100-80`, its defaults.yaml rows say
 * `A100-80`. BLIS looks `--hardware` up by exact key, so the export repeats the entry under each.
 */
export const BLIS_GPU_NAMES: Readonly<Record<string, readonly string[]>> = {
  'A100-80GB': ['A100-SXM', 'A100-80'],
};

/** A field of ours: what it does, and the value that makes the model compute as BLIS's. */
export interface OurField {
  readonly meaning: string;
  /** Absent and this value are the same model; null = any value changes the model. */
  readonly neutral: number | null;
  /** A hardware fact no model reads unless another field turns its term on. */
  readonly inert?: true;
}

const CALIBRATED = (what: string): OurField => ({
  meaning: `calibrated roofline v1 (BLIS branch optroofline, not v0.6.1): ${what}`,
  neutral: null,
});

/** Every hardware_config field BLIS's roofline files cannot hold (test: the list is complete). */
export const OUR_FIELDS: Readonly<Record<string, OurField>> = {
  TFlopsFP8: { meaning: 'FP8 peak for FP8 checkpoints (BLIS v0.6.1 has no FP8 peak)', neutral: 0 },
  requestOverheadMicros: {
    meaning: 'µs every request waits before it is queued (API, tokenizer, first streamed chunk)',
    neutral: 0,
  },
  ttftDecodeSteps: {
    meaning: "first-token lag: TTFT also counts this fraction of the request's first decode step",
    neutral: 0,
  },
  gemmMfuScale: { meaning: 'multiplies every looked-up GEMM MFU', neutral: 1 },
  // Neutral at 1: gemmMfuScale, which it falls back to, goes too.
  decodeGemmMfuScale: {
    meaning: "multiplies the decode phase's GEMM MFUs instead of gemmMfuScale",
    neutral: 1,
  },
  attentionMfuScale: { meaning: 'multiplies every looked-up attention MFU', neutral: 1 },
  stepOverheadMicros: { meaning: 'µs every step costs whatever its shape and TP', neutral: 0 },
  allReduceMicros: { meaning: "latency of TP's two all-reduces per layer (µs each, TP > 1)", neutral: 0 },
  allReduceMicrosPerMB: { meaning: 'µs per MB of activations each TP all-reduce moves', neutral: 0 },
  mixedStepJoint: {
    meaning: 'a mixed prefill + decode step as one forward pass over all its tokens (0 = max of phases)',
    neutral: 0,
  },
  requestStepMicros: {
    meaning: 'µs every request of a step costs on a server without async scheduling (vLLM < 0.14)',
    neutral: 0,
  },
  InterconnectGBs: {
    meaning: 'TP interconnect bandwidth (GB/s, both directions), read by allReduceLinkScale',
    neutral: null,
    inert: true,
  },
  allReduceLinkScale: {
    meaning: "TP all-reduces' data time at the interconnect's datasheet bandwidth, times this",
    neutral: 0,
  },
  allReduceHopMicros: {
    meaning: 'µs per ring step of every TP all-reduce, 2(TP − 1) steps each',
    neutral: 0,
  },
  lmHeadScale: { meaning: "the LM head's GEMM and weight bytes, times this", neutral: 0 },
  tpScalingExponent: CALIBRATED('prefill FLOPs divided by TP to this power'),
  decodeTpScalingExponent: CALIBRATED('decode terms divided by TP to this power'),
  mfuPrefillMultiplier: CALIBRATED('multiplies mfuPrefill'),
  mfuDecodeMultiplier: CALIBRATED('multiplies mfuDecode'),
  prefillBwFactor: CALIBRATED('multiplies the prefill bandwidth'),
  decodeBwFactor: CALIBRATED('multiplies the decode bandwidth'),
  vectorPeakFraction: CALIBRATED('vector peak as a fraction of the FLOP peak'),
  prefillOverheadMicros: CALIBRATED('µs per prefill request in a pure prefill step'),
  mixedPrefillOverheadMicros: CALIBRATED('µs per prefill request in a mixed step'),
};

/** Every calibration field a GPU section may hold (for the completeness test). */
export const SECTION_FIELDS: Readonly<Record<RooflineKind, readonly string[]>> = {
  'roofline-v1': [...new Set([...PEAK_FIELDS, ...V1_FIELDS])],
  'roofline-v2': [...new Set([...PEAK_FIELDS, ...V2_FIELDS])],
};

/** Whether `value` of our field changes the model from what BLIS computes. */
export function changesModel(field: string, value: number): boolean {
  const ours = OUR_FIELDS[field];
  if (ours?.inert) return false;
  const neutral = ours?.neutral;
  return neutral === null || neutral === undefined || value !== neutral;
}
