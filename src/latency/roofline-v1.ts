import { InputError } from '../errors.ts';
import { AlphaHooks } from './alpha.ts';
import type { ModelArch } from './arch.ts';
import { type WindowedAttention, windowedAttention } from './attention-window.ts';
import type { LmHeadCost } from './lm-head.ts';
import { type PhysicsCosts, type PhysicsTerms, physicsTerms, stepTermsMicros } from './physics-terms.ts';
import type { LatencyModel, StepRequest } from './types.ts';
import {
  checkArch,
  effectiveContext,
  type GeometryOptions,
  type V1Geometry,
  v1Geometry,
} from './v1-geometry.ts';

/** hardware_config.json fields of roofline v1 (reference §9.3, v0.6.1 names). */
export interface RooflineV1Params extends PhysicsTerms {
  readonly TFlopsPeak: number;
  readonly BwPeakTBs: number;
  readonly BwEffConstant: number;
  readonly TOverheadMicros: number;
  readonly perLayerOverhead: number;
  readonly mfuPrefill: number;
  readonly mfuDecode: number;
  readonly allReduceLatency: number;
  /** FP8 dense peak in TFLOP/s (0: none). Used only for FP8 checkpoints (our rule). */
  readonly TFlopsFP8?: number;
}

export interface RooflineOptions extends GeometryOptions {
  /** Queueing / output-processing coefficients; roofline defaults to [0, 0, 0] (§9.3). */
  readonly alpha?: readonly number[];
  /** TTFT counts this many first decode steps (ours; LatencyModel.ttftDecodeSteps). */
  readonly ttftDecodeSteps?: number;
}

export function checkPositive(where: string, fields: Record<string, number | undefined>): void {
  for (const [k, v] of Object.entries(fields)) {
    if (v === undefined || !Number.isFinite(v) || v <= 0) {
      throw new InputError(`${where}: ${k} must be a finite number > 0, got ${v}`);
    }
  }
}

/**
 * BLIS v0.6.1 roofline (`rooflineStepTime`, reference §9.3): per phase group,
 * max(compute, memory); prefill and decode groups add (weights loaded twice in mixed steps);
 * plus per-layer, all-reduce and per-step overheads; rounded to integer µs.
 */
export class RooflineV1Model extends AlphaHooks implements LatencyModel {
  readonly name = 'roofline-v1' as const;
  private readonly g: V1Geometry;
  private readonly tp: number;
  private readonly peak: number;
  private readonly peakGemm: number;
  private readonly bwEff: number;
  private readonly vecPeak: number;
  private readonly mfuPrefill: number;
  private readonly mfuDecode: number;
  private readonly overheadUs: number;
  private readonly terms: PhysicsCosts;
  private readonly lmHead: LmHeadCost;
  private readonly window: WindowedAttention | undefined;

  constructor(arch: ModelArch, hw: RooflineV1Params, tp: number, opts: RooflineOptions = {}) {
    super(opts.alpha, opts.ttftDecodeSteps);
    checkArch(arch, tp);
    const { TFlopsPeak, BwPeakTBs, BwEffConstant, mfuPrefill, mfuDecode } = hw;
    checkPositive('roofline-v1 hardware', { TFlopsPeak, BwPeakTBs, BwEffConstant, mfuPrefill, mfuDecode });
    const fp8 = hw.TFlopsFP8 ?? 0;
    this.g = v1Geometry(arch, { ...opts, tflopsFP8: fp8 });
    this.tp = tp;
    this.peak = TFlopsPeak * 1e12;
    this.peakGemm = this.g.fp8 ? fp8 * 1e12 : this.peak;
    this.bwEff = BwPeakTBs * 1e12 * BwEffConstant;
    this.vecPeak = 0.1 * this.peak;
    this.mfuPrefill = mfuPrefill;
    this.mfuDecode = mfuDecode;
    const L = this.g.layers;
    this.overheadUs =
      L * hw.perLayerOverhead + (tp > 1 ? L * 2 * hw.allReduceLatency : 0) + hw.TOverheadMicros;
    this.terms = physicsTerms(arch, tp, hw, 'roofline-v1');
    this.lmHead = this.terms.lmHead;
    this.window = windowedAttention(arch.attentionWindow, arch.numLayers);
  }

  stepTime(batch: readonly StepRequest[]): number {
    const g = this.g;
    const H = g.heads;
    const L = g.layers;
    const attnCoef = 4 * H * g.dh;
    let pN = 0;
    let pTokens = 0;
    let pLin = 0;
    let pAttn = 0;
    let pSram = 0;
    let pDyn = 0;
    let dN = 0;
    let dAttn = 0;
    let dSram = 0;
    let dDyn = 0;
    const win = this.window;
    for (let i = 0; i < batch.length; i++) {
      const r = batch[i]!;
      const s = r.progressIndex;
      // Windowed layers (attention-window.ts): the share of the attention work done and the
      // cached positions read; 1 and s without a window.
      const read = win ? win.readKeys(s) : s;
      if (s < r.inputLen) {
        const t = r.numNewTokens;
        const ctx = effectiveContext(s, t);
        const share = win ? win.share(s, t) : 1;
        pN++;
        pTokens += t;
        pLin += t;
        pAttn += L * attnCoef * t * ctx * share;
        pSram += L * (5 * H * t * ctx * share + 2 * t * g.d);
        pDyn += g.actBytesPerToken * t + g.kvBytesPerToken * read + g.kvBytesPerToken * t;
      } else if (r.outputLen > 0) {
        dN++;
        dAttn += L * attnCoef * read;
        dSram += L * (5 * H * read + 2 * g.d);
        dDyn += g.actBytesPerToken + g.kvBytesPerToken * read + g.kvBytesPerToken;
      }
    }
    let hw = 0;
    if (pN > 0) hw += this.phase(pLin, pAttn, pSram, pDyn, pTokens, pN, this.mfuPrefill);
    if (dN > 0) hw += this.phase(dN, dAttn, dSram, dDyn, dN, dN, this.mfuDecode);
    return Math.round(hw * 1e6 + this.overheadUs + stepTermsMicros(this.terms, pTokens + dN));
  }

  /** max(compute, memory) of one phase group; `tokens` new tokens in total, `rows` requests. */
  private phase(
    tokens: number,
    attn: number,
    sram: number,
    dyn: number,
    groupTokens: number,
    rows: number,
    mfu: number,
  ): number {
    const g = this.g;
    const tp = this.tp;
    const lin = (g.projFlopsPerToken + g.mlpFlopsPerToken) * tokens;
    let compute: number;
    // FP8 (ours): projection + MLP FLOPs at the FP8 peak, attention at the 16-bit peak.
    if (g.fp8) {
      compute = lin / tp / (this.peakGemm * mfu) + attn / tp / (this.peak * mfu) + sram / tp / this.vecPeak;
    } else {
      compute = (lin + attn) / tp / (this.peak * mfu) + sram / tp / this.vecPeak;
    }
    // LM head (ours, 0 when off): one logits row per request, at the 16-bit peak.
    const lm = this.lmHead;
    compute += (lm.flopsPerRow * rows) / tp / (this.peak * mfu);
    // MoE (ours): weights of the experts the group's tokens touch, E·(1 − (1 − k/E)^tokens).
    const weights = g.moe ? g.weightBytes(groupTokens) : g.denseWeightBytes;
    const memory = (weights / tp + dyn / tp + lm.bytes / tp) / this.bwEff;
    return Math.max(compute, memory);
  }
}
