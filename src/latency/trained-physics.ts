import { InputError } from '../errors.ts';
import { type WindowedAttention, windowedAttention } from './attention-window.ts';
import type { TrainedPhysicsFeatures, TrainedPhysicsHardware } from './trained-physics-features.ts';
import { type LatencyModel, type StepBreakdown, type StepRequest, withRounding } from './types.ts';

/** Slot names of the 10 betas and 3 alphas (the tuner's field names). */
export const TP_BETA_NAMES = ['b1a', 'b2a', 'b3', 'b4', 'b5', 'b6', 'b7', 'b8', 'b1b', 'b2b'] as const;
export const TP_ALPHA_NAMES = ['a0', 'a1', 'a2'] as const;

/** The raw basis terms of one step (µs, before the betas scale them) and the batch counts they came from. */
export type TrainedPhysicsTerms = {
  T_pf_compute_us: number;
  T_pf_kv_us: number;
  T_dc_compute_us: number;
  T_dc_kv_us: number;
  T_weight_us: number;
  T_tp_us: number;
  /** Requests in the batch (all kinds). */
  B: number;
  /** Prefill tokens, decode requests, Σ decode context. */
  T_pf: number;
  N_dc: number;
  C: number;
};

/** Prefill compute, prefill KV, decode compute, decode KV, weights, TP, layers, requests, step, MoE. */
const CONTRIBUTIONS = 10;

/** BLIS returns MaxInt64 (2^63 − 1, 2^63 as a double) for NaN or overflow. */
const MAX_INT64 = 2 ** 63;

/**
 * BLIS v0.7.1's "trained-physics" step time: roofline basis terms (FLOPs over peak compute,
 * bytes over peak bandwidth) scaled by fitted betas plus per-layer, per-request, per-step and
 * per-MoE-layer overheads; alphas as a constant queueing delay (α0), a post-decode E2E
 * overhead (α1) and a per-output-token delay (α2). Rule by rule in docs/latency-models.md.
 */
export class TrainedPhysicsModel implements LatencyModel {
  readonly name = 'trained-physics' as const;
  /** v0.7.1 has no completion ITL entry: N output tokens give N−1 ITLs. */
  readonly phantomItl = false;
  private readonly beta: Float64Array;
  private readonly nBeta: number;
  private readonly a0: number;
  private readonly a1: number;
  private readonly a2: number;
  private readonly flopsUs: number;
  private readonly bwUs: number;
  private readonly f: TrainedPhysicsFeatures;
  private readonly scratch = new Float64Array(10);
  private readonly contributions = new Float64Array(CONTRIBUTIONS);
  private readonly window: WindowedAttention | undefined;

  constructor(
    features: TrainedPhysicsFeatures,
    hw: TrainedPhysicsHardware,
    private readonly tp: number,
    beta: readonly number[],
    alpha: readonly number[],
  ) {
    checkTrainedPhysicsCoefficients(beta, alpha);
    if (!Number.isInteger(tp) || tp <= 0) throw new InputError(`trained-physics: TP must be > 0, got ${tp}`);
    for (const k of ['TFlopsPeak', 'BwPeakTBs'] as const) {
      if (!(Number.isFinite(hw[k]) && hw[k] > 0))
        throw new InputError(`trained-physics: ${k} must be finite and > 0`);
    }
    this.f = features;
    this.window = windowedAttention(features.attentionWindow, features.numLayers);
    this.nBeta = Math.min(beta.length, 10);
    this.beta = new Float64Array(10);
    for (let i = 0; i < this.nBeta; i++) this.beta[i] = beta[i]!;
    [this.a0, this.a1, this.a2] = alpha.map(Math.trunc) as [number, number, number];
    const fp8 = features.weightBPP === 1 && (hw.TFlopsFP8 ?? 0) > 0;
    this.flopsUs = (fp8 ? hw.TFlopsFP8! : hw.TFlopsPeak) * 1e6;
    this.bwUs = hw.BwPeakTBs * 1e6;
  }

  stepTime(batch: readonly StepRequest[]): number {
    if (batch.length === 0) return 1;
    const c = this.contributions;
    this.contribute(batch, this.scratch, c);
    // Summed in order, as breakdown() lists them, so its parts add up to this step time.
    let raw = 0;
    for (let i = 0; i < CONTRIBUTIONS; i++) raw += c[i]!;
    if (Number.isNaN(raw) || raw >= 2 ** 63) return MAX_INT64;
    return Math.max(1, Math.trunc(raw));
  }

  /**
   * The step's contributions (β × basis, µs, in BLIS's summation order) and then `rounding` to
   * the integer step time, the raw basis values, and the batch counts. With fewer than 9 (10)
   * betas the prefill (decode) part is one contribution, β × max(compute, KV).
   */
  breakdown(batch: readonly StepRequest[]): StepBreakdown {
    const t = new Float64Array(10);
    const c = new Float64Array(CONTRIBUTIONS);
    if (batch.length > 0) this.contribute(batch, t, c);
    const parts: Record<string, number> = {};
    if (this.nBeta >= 9) Object.assign(parts, { prefill_compute: c[0]!, prefill_kv: c[1]! });
    else parts.prefill = c[0]!;
    if (this.nBeta >= 10) Object.assign(parts, { decode_compute: c[2]!, decode_kv: c[3]! });
    else parts.decode = c[2]!;
    Object.assign(parts, {
      weights: c[4]!,
      tp_all_reduce: c[5]!,
      layers: c[6]!,
      requests: c[7]!,
      step: c[8]!,
    });
    if (this.f.interleavedMoE) parts.moe_layers = c[9]!;
    const { B, T_pf, N_dc, C, ...basis } = namedTerms(t);
    return {
      contributions_us: withRounding(this.stepTime(batch), parts),
      basis_us: basis,
      counts: { requests: B, prefill_tokens: T_pf, decode_requests: N_dc, decode_context: C },
    };
  }

  /** Fills t with the basis (see basis()) and c with the contributions, in summation order. */
  private contribute(batch: readonly StepRequest[], t: Float64Array, c: Float64Array): void {
    this.basis(batch, t);
    const b = this.beta;
    const f = this.f;
    c.fill(0);
    if (this.nBeta >= 9) {
      c[0] = b[0]! * t[0]!;
      c[1] = b[8]! * t[1]!;
    } else c[0] = b[0]! * Math.max(t[0]!, t[1]!);
    if (this.nBeta >= 10) {
      c[2] = b[1]! * t[2]!;
      c[3] = b[9]! * t[3]!;
    } else c[2] = b[1]! * Math.max(t[2]!, t[3]!);
    c[4] = b[2]! * t[4]!;
    c[5] = b[3]! * t[5]!;
    c[6] = b[4]! * f.numLayers;
    c[7] = b[5]! * t[6]!;
    c[8] = b[6]!;
    if (f.interleavedMoE) c[9] = b[7]! * f.numMoELayers;
  }

  /** The basis terms of a batch (allocates; the step time does not). */
  terms(batch: readonly StepRequest[]): TrainedPhysicsTerms {
    const t = new Float64Array(10);
    if (batch.length > 0) this.basis(batch, t);
    return namedTerms(t);
  }

  /** Fills out[0..9] = T_pf_compute, T_pf_kv, T_dc_compute, T_dc_kv, T_weight, T_tp, B, T_pf, N_dc, C. */
  private basis(batch: readonly StepRequest[], out: Float64Array): void {
    const f = this.f;
    const tp = this.tp;
    let tPf = 0;
    let attnPf = 0; // Σ t_i·(s_i + t_i/2)
    let nDc = 0;
    let ctx = 0;
    // Windowed layers (ours, attention-window.ts): their share of the prefill attention and
    // the cached positions decode reads; equal to the full terms without a window.
    const win = this.window;
    let ctxRead = 0;
    for (let i = 0; i < batch.length; i++) {
      const r = batch[i]!;
      const s = r.progressIndex;
      if (s < r.inputLen) {
        const ti = r.numNewTokens;
        tPf += ti;
        attnPf += ti * (r.inputLen + ti / 2) * (win ? win.share(s, ti) : 1);
      } else if (r.outputLen > 0) {
        nDc++;
        ctx += s;
        ctxRead += win ? win.readKeys(s) : s;
      }
    }
    const L = f.numLayers;
    const d = f.hiddenDim;
    const h = f.numHeads / tp;
    const proj = d * (2 * d + 2 * f.dKV);
    // FFN FLOPs per token, not a closure: under tsx each closure costs a property definition per step.
    const ffnPerToken =
      (f.numMoELayers * f.kEff * 6 * d * f.dFFMoE + f.numDenseLayers * 6 * d * f.dFFDense) / tp;
    out.fill(0);
    if (tPf > 0) {
      out[0] =
        ((L * 2 * tPf * proj) / tp + L * 4 * h * attnPf * f.headDim + tPf * ffnPerToken) / this.flopsUs;
      out[1] = (L * 2 * (f.dKV / tp) * tPf * 2) / this.bwUs;
    }
    if (nDc > 0) {
      out[2] =
        ((L * 2 * nDc * proj) / tp + L * 4 * h * ctxRead * f.headDim + nDc * ffnPerToken) / this.flopsUs;
      out[3] = (L * 2 * (f.dKV / tp) * 2 * (ctxRead + nDc)) / this.bwUs;
    }
    const tokens = tPf + nDc;
    const nEff = f.numExperts > 1 ? Math.min(f.numExperts, Math.max(f.kEff, tokens * f.kEff)) : 1;
    const bpp = f.weightBPP;
    out[4] =
      ((L * proj * bpp) / tp +
        (f.numMoELayers * nEff * 3 * d * f.dFFMoE * f.expertWeightBPP) / tp +
        (f.numDenseLayers * 3 * d * f.dFFDense * bpp) / tp) /
      this.bwUs;
    if (tp > 1) {
      out[5] = ((2 * f.numDenseLayers + f.numMoELayers) * tokens * d * 2 * 2 * (tp - 1)) / tp / this.bwUs;
    }
    out[6] = batch.length;
    out[7] = tPf;
    out[8] = nDc;
    out[9] = ctx;
  }

  /** α0: a constant delay from arrival to the wait queue (no per-input-token part). */
  queueingTime(_inputLen: number): number {
    return this.a0;
  }

  /** α2: added to TTFT and to every ITL entry. */
  outputTokenProcessingTime(): number {
    return this.a2;
  }

  /** α1: added to E2E once, for a request with at least one output token. */
  postDecodeOverhead(): number {
    return this.a1;
  }

  schedulingProcessingTime(): number {
    return 0;
  }

  preemptionProcessingTime(): number {
    return 0;
  }
}

function namedTerms(t: Float64Array): TrainedPhysicsTerms {
  return {
    T_pf_compute_us: t[0]!,
    T_pf_kv_us: t[1]!,
    T_dc_compute_us: t[2]!,
    T_dc_kv_us: t[3]!,
    T_weight_us: t[4]!,
    T_tp_us: t[5]!,
    B: t[6]!,
    T_pf: t[7]!,
    N_dc: t[8]!,
    C: t[9]!,
  };
}

/** BLIS's construction checks: ≥ 7 betas, ≥ 3 alphas, all finite and ≥ 0. */
export function checkTrainedPhysicsCoefficients(beta: readonly number[], alpha: readonly number[]): void {
  if (beta.length < 7)
    throw new InputError(`trained-physics needs at least 7 beta coefficients, got ${beta.length}`);
  if (alpha.length < 3)
    throw new InputError(`trained-physics needs at least 3 alpha coefficients, got ${alpha.length}`);
  for (const [name, arr] of [
    ['beta', beta],
    ['alpha', alpha],
  ] as const) {
    const bad = arr.findIndex((v) => !Number.isFinite(v) || v < 0);
    if (bad >= 0)
      throw new InputError(`trained-physics ${name}[${bad}] must be finite and ≥ 0, got ${arr[bad]}`);
  }
}
