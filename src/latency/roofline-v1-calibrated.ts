import { AlphaHooks } from './alpha.ts';
import type { ModelArch } from './arch.ts';
import { type WindowedAttention, windowedAttention } from './attention-window.ts';
import type { LmHeadCost } from './lm-head.ts';
import { type PhysicsCosts, physicsTerms, stepTermsMicros } from './physics-terms.ts';
import { checkPositive, type RooflineOptions, type RooflineV1Params } from './roofline-v1.ts';
import type { LatencyModel, StepRequest } from './types.ts';
import { checkArch, effectiveContext, type V1Geometry, v1Geometry } from './v1-geometry.ts';

/**
 * The calibration fields of the `optroofline` branch (reference §9.4). Any of them present in a
 * GPU's v1 section selects the calibrated variant; absent ones take the neutral defaults of
 * CALIBRATED_DEFAULTS (our rule: the branch always had all of them).
 */
export interface CalibratedV1Fields {
  readonly tpScalingExponent: number;
  readonly decodeTpScalingExponent: number;
  readonly mfuPrefillMultiplier: number;
  readonly mfuDecodeMultiplier: number;
  readonly prefillBwFactor: number;
  readonly decodeBwFactor: number;
  readonly vectorPeakFraction: number;
  readonly prefillOverheadMicros: number;
  readonly mixedPrefillOverheadMicros: number;
  /**
   * Ours, 0…1 (0 = the branch): a mixed step as one forward pass over all its tokens, as
   * vLLM's V1 engine runs it, instead of the branch's phase-weighted mix (which prices a mixed
   * step's prefill tokens at almost nothing when its decodes dominate).
   */
  readonly mixedStepJoint: number;
}

export const CALIBRATED_FIELD_NAMES = [
  'tpScalingExponent',
  'decodeTpScalingExponent',
  'mfuPrefillMultiplier',
  'mfuDecodeMultiplier',
  'prefillBwFactor',
  'decodeBwFactor',
  'vectorPeakFraction',
  'prefillOverheadMicros',
  'mixedPrefillOverheadMicros',
  'mixedStepJoint',
] as const satisfies readonly (keyof CalibratedV1Fields)[];

/** Neutral values: TP scaling as plain v1 (exponent 1), no multipliers, v1's 10 % vector peak. */
export const CALIBRATED_DEFAULTS: CalibratedV1Fields = {
  tpScalingExponent: 1,
  decodeTpScalingExponent: 1,
  mfuPrefillMultiplier: 1,
  mfuDecodeMultiplier: 1,
  prefillBwFactor: 1,
  decodeBwFactor: 1,
  vectorPeakFraction: 0.1,
  prefillOverheadMicros: 0,
  mixedPrefillOverheadMicros: 0,
  mixedStepJoint: 0,
};

/** The branch's calibrated values for H100 and A100 (reference §12.1), a tuner's starting point. */
export const OPTROOFLINE_CALIBRATION: CalibratedV1Fields = {
  tpScalingExponent: 0.3,
  decodeTpScalingExponent: 1.15,
  mfuPrefillMultiplier: 2.32,
  mfuDecodeMultiplier: 2.0,
  prefillBwFactor: 0.75,
  decodeBwFactor: 0.96,
  vectorPeakFraction: 0.1,
  prefillOverheadMicros: 500,
  mixedPrefillOverheadMicros: 150,
  mixedStepJoint: 0,
};

/**
 * Calibrated roofline v1 (`optroofline`, reference §9.4): attention moves to the vector term,
 * discounted KV and activation bytes, sub-linear TP scaling, phase-weighted mixing of prefill
 * and decode, and a batch-size-dependent per-step overhead. perLayerOverhead is not used.
 */
export class RooflineV1CalibratedModel extends AlphaHooks implements LatencyModel {
  readonly name = 'roofline-v1' as const;
  private readonly g: V1Geometry;
  private readonly tp: number;
  private readonly c: CalibratedV1Fields;
  private readonly peak: number;
  private readonly peakGemm: number;
  private readonly bwEff: number;
  private readonly mfuPrefill: number;
  private readonly mfuDecode: number;
  private readonly prefillFlopDiv: number;
  private readonly decodeDiv: number;
  private readonly commUs: number;
  private readonly terms: PhysicsCosts;
  private readonly lmHead: LmHeadCost;
  private readonly tOverhead: number;
  private readonly window: WindowedAttention | undefined;

  constructor(
    arch: ModelArch,
    hw: RooflineV1Params,
    calibration: Partial<CalibratedV1Fields>,
    tp: number,
    opts: RooflineOptions = {},
  ) {
    super(opts.alpha, opts.ttftDecodeSteps);
    checkArch(arch, tp);
    const { TFlopsPeak, BwPeakTBs, BwEffConstant, mfuPrefill, mfuDecode } = hw;
    checkPositive('roofline-v1 hardware', { TFlopsPeak, BwPeakTBs, BwEffConstant, mfuPrefill, mfuDecode });
    const c: CalibratedV1Fields = { ...CALIBRATED_DEFAULTS, ...calibration };
    const { mfuPrefillMultiplier, mfuDecodeMultiplier, prefillBwFactor, decodeBwFactor, vectorPeakFraction } =
      c;
    checkPositive('roofline-v1 calibration', {
      mfuPrefillMultiplier,
      mfuDecodeMultiplier,
      prefillBwFactor,
      decodeBwFactor,
      vectorPeakFraction,
    });
    this.c = c;
    const fp8 = hw.TFlopsFP8 ?? 0;
    this.g = v1Geometry(arch, { ...opts, tflopsFP8: fp8 });
    this.tp = tp;
    this.peak = TFlopsPeak * 1e12;
    this.peakGemm = this.g.fp8 ? fp8 * 1e12 : this.peak;
    this.bwEff = BwPeakTBs * 1e12 * BwEffConstant;
    this.mfuPrefill = mfuPrefill;
    this.mfuDecode = mfuDecode;
    this.prefillFlopDiv = tp ** c.tpScalingExponent;
    this.decodeDiv = tp ** (c.decodeTpScalingExponent === 0 ? 1 : c.decodeTpScalingExponent);
    this.commUs = tp > 1 ? this.g.layers * 2 * hw.allReduceLatency : 0;
    this.tOverhead = hw.TOverheadMicros;
    this.terms = physicsTerms(arch, tp, hw, 'roofline-v1');
    this.lmHead = this.terms.lmHead;
    this.window = windowedAttention(arch.attentionWindow, arch.numLayers);
  }

  stepTime(batch: readonly StepRequest[]): number {
    const g = this.g;
    const L = g.layers;
    const H = g.heads;
    const dh = g.dh;
    let pN = 0;
    let pTokens = 0;
    let pSram = 0;
    let pDyn = 0;
    let dN = 0;
    let dSram = 0;
    let dDyn = 0;
    const win = this.window;
    for (let i = 0; i < batch.length; i++) {
      const r = batch[i]!;
      const s = r.progressIndex;
      let t: number;
      if (s < r.inputLen) t = r.numNewTokens;
      else if (r.outputLen > 0) t = 1;
      else continue;
      const ctx = effectiveContext(s, t);
      // Windowed layers (attention-window.ts): 1 and s without a window.
      const share = win ? win.share(s, t) : 1;
      const read = win ? win.readKeys(s) : s;
      const sram = L * (2 * H * t * ctx * dh + 4 * H * t * ctx + 2 * H * t * ctx * dh) * share;
      // Byte components in BLIS's alphabetical key order (weights are added per group).
      const act = g.actBytesPerToken * t * (t === 1 ? 0.75 : 0.85);
      const kvAccess = g.kvBytesPerToken * read * (t === 1 ? 0.8 : 0.92);
      const dyn = act + kvAccess + g.kvBytesPerToken * t;
      if (s < r.inputLen) {
        pN++;
        pTokens += t;
        pSram += sram;
        pDyn += dyn;
      } else {
        dN++;
        dSram += sram;
        dDyn += dyn;
      }
    }
    const c = this.c;
    let pHat = 0;
    let dHat = 0;
    if (pN > 0) {
      const f = this.prefillFlopDiv;
      const mfu = this.mfuPrefill * c.mfuPrefillMultiplier;
      const compute =
        this.linTime(pTokens, f, mfu) +
        pSram / f / (this.peak * c.vectorPeakFraction) +
        this.lmHeadTime(pN, f, mfu);
      const weights = g.moe ? g.weightBytes(pTokens) : g.denseWeightBytes;
      const memory = (weights + pDyn + this.lmHead.bytes) / this.tp / (this.bwEff * c.prefillBwFactor);
      pHat = Math.max(compute, memory);
    }
    if (dN > 0) {
      const f = this.decodeDiv;
      const mfu = this.mfuDecode * c.mfuDecodeMultiplier;
      const compute =
        this.linTime(dN, f, mfu) +
        dSram / f / (this.peak * c.vectorPeakFraction) +
        this.lmHeadTime(dN, f, mfu);
      const weights = g.moe ? g.weightBytes(dN) : g.denseWeightBytes;
      const memory = (weights + dDyn + this.lmHead.bytes) / f / (this.bwEff * c.decodeBwFactor);
      dHat = Math.max(compute, memory);
    }
    let hw: number;
    const p = pTokens;
    const q = dN;
    if (pN > 0 && dN > 0) {
      if (p > 4 * q && p > 100) hw = 0.75 * pHat + 0.25 * dHat;
      else if (q > 2 * p && q > 50) hw = 0.35 * pHat + 0.65 * dHat;
      else hw = (p * pHat + q * dHat) / (p + q);
    } else hw = pHat + dHat;
    const j = c.mixedStepJoint;
    if (j > 0 && pN > 0 && dN > 0) {
      // One forward pass (ours): GEMMs over every token at the prefill MFU, both attentions,
      // the weights streamed once at the decode bandwidth.
      const m = p + q;
      const fp = this.prefillFlopDiv;
      const mfu = this.mfuPrefill * c.mfuPrefillMultiplier;
      const vector = this.peak * c.vectorPeakFraction;
      const compute =
        this.linTime(m, fp, mfu) +
        pSram / fp / vector +
        dSram / this.decodeDiv / vector +
        this.lmHeadTime(pN + dN, fp, mfu);
      const weights = g.moe ? g.weightBytes(m) : g.denseWeightBytes;
      const memory =
        (weights + pDyn + dDyn + this.lmHead.bytes) / this.decodeDiv / (this.bwEff * c.decodeBwFactor);
      hw = (1 - j) * hw + j * Math.max(compute, memory);
    }
    const n = pN + dN;
    let overhead = this.tOverhead;
    if (n > 2) overhead *= 1 + 0.15 * Math.log2(n / 2) * (0.3 + (2 * q) / n);
    if (pN > 0) overhead += pN * (dN > 0 ? c.mixedPrefillOverheadMicros : c.prefillOverheadMicros);
    return Math.round(hw * 1e6 + this.commUs + stepTermsMicros(this.terms, p + q) + overhead);
  }

  /**
   * Projection + MLP GEMM time for `tokens` new tokens, FLOPs divided by `div`. MoE FLOPs are
   * the active experts' (v1-geometry.ts); FP8 checkpoints use the FP8 peak (both ours).
   */
  private linTime(tokens: number, div: number, mfu: number): number {
    const g = this.g;
    return ((g.projFlopsPerToken + g.mlpFlopsPerToken) * tokens) / div / (this.peakGemm * mfu);
  }

  /** LM head GEMM for `rows` logits rows at the 16-bit peak (ours; 0 when off). */
  private lmHeadTime(rows: number, div: number, mfu: number): number {
    return (this.lmHead.flopsPerRow * rows) / div / (this.peak * mfu);
  }
}
