import { InputError } from '../errors.ts';
import type { DecodeGrid, GemmCurve, MfuDatabase } from '../mfu/database.ts';
import { MonotoneCurve, MonotoneGrid } from '../mfu/monotone.ts';
import { AlphaHooks } from './alpha.ts';
import { denseLayers, expectedActiveExperts, expertWeightBytes, type ModelArch } from './arch.ts';
import { type WindowedAttention, windowedAttention } from './attention-window.ts';
import { type PhysicsCosts, physicsTerms, stepTermsMicros } from './physics-terms.ts';
import { checkPositive } from './roofline-v1.ts';
import type { LatencyModel, StepRequest } from './types.ts';
import { checkArch } from './v1-geometry.ts';
import {
  BUCKET_MIN_LOG2,
  BUCKETS,
  bucketIndex,
  type RooflineV2Options,
  type RooflineV2Params,
} from './v2-params.ts';

export type { RooflineV2Options, RooflineV2Params } from './v2-params.ts';

/** A phase's GEMM peak (FLOP/s, MFU scale folded in) and its memo of whole-model GEMM times. */
interface GemmPhase {
  readonly peak: number;
  readonly memo: Map<number, number>;
}

/** One weight matrix K×N of a layer, resolved to its MFU curve. */
interface Gemm {
  readonly k: number;
  readonly n: number;
  readonly bytes: number;
  readonly curve: GemmCurve;
  /** Monotone mode: M / MFU(M) envelope. */
  readonly mono: MonotoneCurve | undefined;
}

/**
 * The MFU-database roofline of branch `roofline-go-and-hypotheses` (reference §9.5):
 * per-GEMM max(compute at measured MFU, weight-load floor), attention at measured prefill and
 * decode MFU, the max of the prefill and decode phases in mixed steps, sustained bandwidth
 * and a per-layer overhead. MoE and FP8 follow the rules documented in v1-geometry.ts.
 */
export class RooflineV2Model extends AlphaHooks implements LatencyModel {
  readonly name = 'roofline-v2' as const;
  private readonly tau: number;
  private readonly layers: number;
  private readonly peak: number;
  private readonly prefillGemm: GemmPhase;
  /** The prefill phase's object unless decodeGemmMfuScale differs from gemmMfuScale. */
  private readonly decodeGemm: GemmPhase;
  private readonly bw: number;
  private readonly overheadS: number;
  /** Seconds per token of the all-reduces' data term (0 at TP 1 or when off). */
  private readonly commPerTokenS: number;
  private readonly terms: PhysicsCosts;
  /** The LM head's GEMM (ours; empty when off), its scale and its weight bytes (scaled). */
  private readonly lmGemm: readonly Gemm[];
  private readonly lmScale: number;
  private readonly lmBytes: number;
  /** The LM head runs at the 16-bit peak: 1, or TFlopsPeak / TFlopsFP8 for FP8 checkpoints. */
  private readonly lmPeakRatio: number;
  /** 4·H·hd·Lyr: attention-core FLOPs per (query token × context token). */
  private readonly attnCoef: number;
  private readonly actBytesPerToken: number;
  private readonly kvBytesPerToken: number;
  /** Weights every step loads (all of a dense model; the non-routed part of an MoE). */
  private readonly weightBytes: number;
  /** One routed expert's weights over all MoE layers; 0 for dense models. */
  private readonly expertBytes: number = 0;
  private readonly dense: readonly Gemm[];
  private readonly attnGemms: readonly Gemm[];
  private readonly experts: readonly Gemm[];
  private readonly arch: ModelArch;
  private readonly decodeGrid: DecodeGrid;
  private readonly joint: number;
  private readonly prefillMfu = new Float64Array(BUCKETS);
  private readonly bucketTokens = new Float64Array(BUCKETS);
  private readonly bucketAttn = new Float64Array(BUCKETS);
  private readonly prefillMono: MonotoneCurve | undefined;
  private readonly decodeMono: MonotoneGrid | undefined;
  private readonly window: WindowedAttention | undefined;

  constructor(
    arch: ModelArch,
    hw: RooflineV2Params,
    tp: number,
    db: MfuDatabase,
    opts: RooflineV2Options = {},
  ) {
    super(opts.alpha, opts.ttftDecodeSteps);
    checkArch(arch, tp);
    const { TFlopsPeak, BwPeakTBs } = hw;
    checkPositive('roofline-v2 hardware', { TFlopsPeak, BwPeakTBs });
    this.arch = arch;
    this.window = windowedAttention(arch.attentionWindow, arch.numLayers);
    this.tau = 1 / tp;
    const L = arch.numLayers;
    this.layers = L;
    const d = arch.hiddenSize;
    const H = arch.numHeads;
    const ownHead = (opts.useConfigHeadDim ?? true) && arch.headDimDiffers;
    const hd = ownHead ? arch.headDim : Math.trunc(d / H);
    const qDim = ownHead ? H * hd : d;
    const dkv = arch.numKVHeads * hd;
    const dff = arch.intermediateSize;
    const B = arch.bytesPerParam;
    const Bw = arch.weightBytesPerParam;
    // MFU scale factors (ours, neutral at 1): scaling a looked-up MFU by s is scaling the
    // peak it divides, so they fold into the two peaks.
    const gemmScale = hw.gemmMfuScale ?? 1;
    const attnScale = hw.attentionMfuScale ?? 1;
    checkPositive('roofline-v2 MFU scales', { gemmMfuScale: gemmScale, attentionMfuScale: attnScale });
    this.peak = TFlopsPeak * 1e12 * attnScale;
    // FP8 (ours): 1-byte weights (Bw) everywhere; GEMMs at the FP8 peak with the 16-bit MFU tables.
    const fp8 = arch.fp8Weights && (hw.TFlopsFP8 ?? 0) > 0;
    const peakGemm = (fp8 ? (hw.TFlopsFP8 ?? 0) : TFlopsPeak) * 1e12;
    this.prefillGemm = { peak: peakGemm * gemmScale, memo: new Map() };
    // decodeGemmMfuScale (ours): the tables' small-M MFUs are memory-bound timings, which
    // vLLM's decode (CUDA graphs, its own kernels) can beat while prefill GEMMs do not.
    const decodeScale = hw.decodeGemmMfuScale ?? gemmScale;
    checkPositive('roofline-v2 MFU scales', { decodeGemmMfuScale: decodeScale });
    this.decodeGemm =
      decodeScale === gemmScale ? this.prefillGemm : { peak: peakGemm * decodeScale, memo: new Map() };
    const eff = hw.bwEfficiencyFactor ?? 0;
    this.bw = BwPeakTBs * 1e12 * (eff > 0 ? eff : 1);
    // The step and all-reduce overheads are ours (neutral at 0): a fixed cost per step, and
    // TP's two all-reduces per layer, a latency plus a term in the activations moved.
    const comm = tp > 1 ? 2 * L : 0;
    this.overheadS =
      (((hw.perLayerOverhead ?? 0) * L) / tp +
        (hw.stepOverheadMicros ?? 0) +
        comm * (hw.allReduceMicros ?? 0)) /
      1e6;
    this.commPerTokenS = (comm * (hw.allReduceMicrosPerMB ?? 0) * d * arch.bytesPerParam) / 1e6 / 1e6;
    this.joint = hw.mixedStepJoint ?? 0;
    if (!(this.joint >= 0 && this.joint <= 1)) {
      throw new InputError(`roofline-v2 hardware: mixedStepJoint must lie in [0, 1], got ${this.joint}`);
    }
    const terms = physicsTerms(arch, tp, hw, 'roofline-v2');
    this.terms = terms;
    this.lmScale = hw.lmHeadScale ?? 0;
    this.lmBytes = terms.lmHead.bytes;
    this.lmPeakRatio = fp8 ? TFlopsPeak / (hw.TFlopsFP8 ?? 1) : 1;
    this.attnCoef = 4 * H * hd * L;
    this.actBytesPerToken = L * d * B;
    this.kvBytesPerToken =
      arch.kvLatentDim !== undefined ? L * arch.kvLatentDim * B : 2 * L * arch.numKVHeads * hd * B;
    const mono = opts.monotone === true;
    const g = (k: number, n: number, width = Bw): Gemm => {
      const curve = db.gemmCurve(k, n);
      return {
        k,
        n,
        bytes: k * n * width,
        curve,
        mono: mono ? new MonotoneCurve(curve.ms, (m) => curve.at(m)) : undefined,
      };
    };
    this.attnGemms = [g(d, qDim), g(d, dkv), g(d, dkv), g(qDim, d)];
    // Looked up only when on: a lookup outside the tables warns.
    const lm = terms.lmHead;
    this.lmGemm = this.lmScale > 0 ? [{ ...g(lm.k, lm.n), bytes: lm.k * lm.n * B }] : [];
    this.dense = [...this.attnGemms, g(d, dff), g(d, dff), g(dff, d)];
    const attnW = d * (qDim + 2 * dkv) + qDim * d;
    const moe = arch.moe;
    if (moe) {
      const shared = moe.sharedExperts * moe.sharedIntermediateSize;
      const fixed = [g(d, moe.numExperts)];
      if (shared > 0) fixed.push(g(d, shared), g(d, shared), g(shared, d));
      // Routed experts at their own width (MXFP4: 4.25 bits), computed at the 16-bit peak.
      const Be = expertWeightBytes(arch);
      this.experts = [
        g(d, moe.expertIntermediateSize, Be),
        g(d, moe.expertIntermediateSize, Be),
        g(moe.expertIntermediateSize, d, Be),
      ];
      this.attnGemms = [...this.attnGemms, ...fixed];
      // Phase memory terms load the non-routed weights plus the routed experts the phase's
      // tokens touch (expected distinct experts, ours; see weightsFor()).
      this.weightBytes =
        Bw *
        (L * attnW + denseLayers(arch) * 3 * d * dff + moe.moeLayers * (3 * d * shared + d * moe.numExperts));
      this.expertBytes = Be * moe.moeLayers * 3 * d * moe.expertIntermediateSize;
    } else {
      this.experts = [];
      this.weightBytes = L * Bw * (attnW + 3 * d * dff);
    }
    const keys = db.attentionKeys({ heads: H, kvHeads: arch.numKVHeads, headDim: hd });
    const pc = db.prefillCurve(keys.prefill);
    this.decodeGrid = db.decodeGrid(keys.decode, tp);
    for (let i = 0; i < BUCKETS; i++) this.prefillMfu[i] = pc.at(2 ** (BUCKET_MIN_LOG2 + i));
    if (!(this.prefillMfu[0]! > 0)) throw new InputError(`${db.label}: prefill MFU lookup failed`);
    const dg = this.decodeGrid;
    this.prefillMono = mono ? new MonotoneCurve(pc.seqs, (x) => pc.at(x)) : undefined;
    this.decodeMono = mono ? new MonotoneGrid(dg.bs, dg.kv, (b, k) => dg.at(b, k)) : undefined;
  }

  stepTime(batch: readonly StepRequest[]): number {
    if (this.decodeMono !== undefined) return this.stepTimeMonotone(batch);
    const tau = this.tau;
    let pN = 0;
    let pTokens = 0;
    let pDyn = 0;
    let dN = 0;
    let dDyn = 0;
    let sumF = 0;
    let sumFM = 0;
    for (let i = 0; i < batch.length; i++) {
      const r = batch[i]!;
      if (r.progressIndex >= r.inputLen && r.outputLen > 0) dN++;
    }
    const bucketTokens = this.bucketTokens;
    const bucketAttn = this.bucketAttn;
    bucketTokens.fill(0);
    bucketAttn.fill(0);
    const win = this.window;
    for (let i = 0; i < batch.length; i++) {
      const r = batch[i]!;
      const s = r.progressIndex;
      if (s < r.inputLen) {
        const t = r.numNewTokens;
        const seqLen = s + t;
        const b = bucketIndex(seqLen);
        pN++;
        pTokens += t;
        bucketTokens[b]! += t;
        // Windowed layers do their share of the work (attention-window.ts); 1 without a window.
        bucketAttn[b]! += this.attnCoef * t * seqLen * (win ? win.share(s, t) : 1);
        pDyn += this.dynBytes(s, t);
      } else if (r.outputLen > 0) {
        if (win) {
          // Windowed layers attend to a positions, at the decode MFU of that length.
          const a = win.attendedBefore(s);
          const full = this.attnCoef * (1 - win.fraction) * s;
          const windowed = this.attnCoef * win.fraction * a;
          sumF += full + windowed;
          sumFM += full * this.decodeGrid.at(dN, s) + (a > 0 ? windowed * this.decodeGrid.at(dN, a) : 0);
        } else {
          const f = this.attnCoef * s;
          sumF += f;
          sumFM += f * this.decodeGrid.at(dN, s);
        }
        dDyn += this.dynBytes(s, 1);
      }
    }
    let pHat = 0;
    let pAttn = 0;
    if (pN > 0) {
      let pc = 0;
      for (let b = 0; b < BUCKETS; b++) {
        const tokens = bucketTokens[b]!;
        if (tokens === 0) continue;
        const attn = (bucketAttn[b]! / 1.8 / (this.peak * this.prefillMfu[b]!)) * tau;
        pAttn += attn;
        pc += this.gemmLayers(tokens, this.prefillGemm) + attn;
      }
      pc += this.lmHeadS(pN, this.prefillGemm);
      const pm = (this.weightsFor(pTokens) * tau + pDyn * tau + this.lmBytes * tau) / this.bw;
      pHat = Math.max(pc, pm);
    }
    let dHat = 0;
    let dAttn = 0;
    if (dN > 0) {
      if (sumF > 0) {
        const mfuEff = sumFM / sumF;
        if (mfuEff > 0) dAttn = (sumF / (this.peak * mfuEff)) * tau;
      }
      const dc = this.gemmLayers(dN, this.decodeGemm) + dAttn + this.lmHeadS(dN, this.decodeGemm);
      const dm = (this.weightsFor(dN) * tau + dDyn * tau + this.lmBytes * tau) / this.bw;
      dHat = Math.max(dc, dm);
    }
    let hw = Math.max(pHat, dHat);
    if (this.joint > 0 && pN > 0 && dN > 0) {
      // One forward pass over every token (ours): GEMMs at the step's M, both attentions, weights once.
      const m = pTokens + dN;
      const c =
        this.gemmLayers(m, this.prefillGemm) + pAttn + dAttn + this.lmHeadS(pN + dN, this.prefillGemm);
      const mem = (this.weightsFor(m) * tau + (pDyn + dDyn) * tau + this.lmBytes * tau) / this.bw;
      hw = (1 - this.joint) * hw + this.joint * Math.max(c, mem);
    }
    const us =
      (hw + this.overheadS + this.commPerTokenS * (pTokens + dN)) * 1e6 +
      stepTermsMicros(this.terms, pTokens + dN);
    return Math.round(Math.max(us, 1));
  }

  /** The monotone mode's step (see RooflineV2Options.monotone); same bytes and combination. */
  private stepTimeMonotone(batch: readonly StepRequest[]): number {
    const prefillMono = this.prefillMono!;
    const decodeMono = this.decodeMono!;
    let dN = 0;
    for (let i = 0; i < batch.length; i++) {
      const r = batch[i]!;
      if (r.progressIndex >= r.inputLen && r.outputLen > 0) dN++;
    }
    let pN = 0;
    let pTokens = 0;
    let pAttn = 0;
    let pDyn = 0;
    let dAttn = 0;
    let dDyn = 0;
    const win = this.window;
    for (let i = 0; i < batch.length; i++) {
      const r = batch[i]!;
      const s = r.progressIndex;
      if (s < r.inputLen) {
        const t = r.numNewTokens;
        pN++;
        pTokens += t;
        pAttn += t * prefillMono.at(s + t) * (win ? win.share(s, t) : 1);
        pDyn += this.dynBytes(s, t);
      } else if (r.outputLen > 0) {
        // Windowed layers at their attended length (attention-window.ts).
        dAttn += win
          ? ((1 - win.fraction) * decodeMono.at(dN, s) +
              win.fraction * decodeMono.at(dN, win.attendedBefore(s))) /
            dN
          : decodeMono.at(dN, s) / dN;
        dDyn += this.dynBytes(s, 1);
      }
    }
    const scale = (this.attnCoef / this.peak) * this.tau;
    let hw = 0;
    const comm = this.commPerTokenS * (pTokens + dN);
    const lm = this.lmBytes * this.tau;
    if (pN > 0) {
      const pc =
        this.gemmLayers(pTokens, this.prefillGemm) +
        (pAttn / 1.8) * scale +
        this.lmHeadS(pN, this.prefillGemm);
      hw = Math.max(pc, (this.weightsFor(pTokens) * this.tau + pDyn * this.tau + lm) / this.bw);
    }
    if (dN > 0) {
      const dc = this.gemmLayers(dN, this.decodeGemm) + dAttn * scale + this.lmHeadS(dN, this.decodeGemm);
      hw = Math.max(hw, dc, (this.weightsFor(dN) * this.tau + dDyn * this.tau + lm) / this.bw);
    }
    const terms = stepTermsMicros(this.terms, pTokens + dN);
    return Math.round(Math.max((hw + this.overheadS + comm) * 1e6 + terms, 1));
  }

  /** The LM head's time for `rows` logits rows at the phase's 16-bit GEMM peak (ours; 0 when off). */
  private lmHeadS(rows: number, phase: GemmPhase): number {
    if (this.lmGemm.length === 0) return 0;
    return this.lmScale * this.sum(this.lmGemm, rows, phase.peak * this.lmPeakRatio) * this.tau;
  }

  /** Weight bytes a phase of `tokens` tokens loads: distinct routed experts only (MoE, ours). */
  private weightsFor(tokens: number): number {
    const moe = this.arch.moe;
    return moe ? this.weightBytes + this.expertBytes * expectedActiveExperts(moe, tokens) : this.weightBytes;
  }

  /** v2 bytes without weights, components in alphabetical key order (§9.5); windowed layers read their window. */
  private dynBytes(s: number, t: number): number {
    const one = t === 1;
    const read = this.window ? this.window.readKeys(s) : s;
    return (
      this.actBytesPerToken * t * (one ? 0.75 : 0.85) +
      this.kvBytesPerToken * read * (one ? 0.8 : 0.92) +
      this.kvBytesPerToken * t
    );
  }

  /** Whole-model GEMM time for M tokens (all layers, divided by TP), memoised per M. */
  private gemmLayers(m: number, phase: GemmPhase): number {
    const cached = phase.memo.get(m);
    if (cached !== undefined) return cached;
    let v: number;
    const moe = this.arch.moe;
    if (!moe) {
      v = this.sum(this.dense, m, phase.peak) * this.tau * this.layers;
    } else {
      // MoE (ours): attention, router and shared experts at M tokens; A = E·(1 − (1 − k/E)^M)
      // touched experts, each a GEMM over its share M·k/A of the token-expert assignments.
      const active = expectedActiveExperts(moe, m);
      const perExpertTokens = (m * moe.topK) / active;
      const moeLayer =
        this.sum(this.attnGemms, m, phase.peak) +
        active * this.sum(this.experts, perExpertTokens, phase.peak);
      const denseLayer = this.sum(this.dense, m, phase.peak);
      v = (moe.moeLayers * moeLayer + denseLayers(this.arch) * denseLayer) * this.tau;
    }
    if (phase.memo.size > 65536) phase.memo.clear();
    phase.memo.set(m, v);
    return v;
  }

  private sum(list: readonly Gemm[], m: number, peak: number): number {
    let total = 0;
    for (let i = 0; i < list.length; i++) {
      const x = list[i]!;
      const compute =
        x.mono !== undefined
          ? (2 * x.k * x.n * x.mono.at(m)) / peak
          : (2 * m * x.k * x.n) / (peak * x.curve.at(m));
      const memory = x.bytes / this.bw;
      total += Math.max(compute, memory);
    }
    return total;
  }
}
