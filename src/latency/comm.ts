import { InputError } from '../errors.ts';
import type { ModelArch } from './arch.ts';

/**
 * Tensor-parallel communication that follows the interconnect (ours; BLIS charges one fixed
 * latency per all-reduce whatever the GPU, the TP degree and the message).
 *
 * A ring all-reduce of `bytes` over `tp` GPUs is a reduce-scatter then an all-gather: each GPU
 * sends, and receives at the same time, 2(tp − 1)/tp · bytes. `linkGBs` is the GPU's
 * interconnect bandwidth as datasheets state it, both directions together (H100 SXM NVLink
 * 900 GB/s, a PCIe 4.0 x16 slot 64 GB/s), so each direction carries half of it.
 */
export function ringAllReduceSeconds(bytes: number, tp: number, linkGBs: number): number {
  if (tp <= 1 || bytes <= 0) return 0;
  return (((2 * (tp - 1)) / tp) * bytes) / ((linkGBs / 2) * 1e9);
}

/**
 * Latency of one ring all-reduce: its 2(tp − 1) steps (tp − 1 to reduce-scatter, tp − 1 to
 * all-gather), each waiting `hopMicros` for its neighbour. BLIS's one fixed latency per
 * all-reduce (`allReduceMicros`, `allReduceLatency`) stays beside it for what does not grow
 * with TP (launch, synchronisation).
 */
export function ringAllReduceHopsMicros(tp: number, hopMicros: number): number {
  return tp <= 1 ? 0 : 2 * (tp - 1) * hopMicros;
}

/** All-reduces per layer under tensor parallelism: after attention's O and after the MLP (or MoE). */
export const ALL_REDUCES_PER_LAYER = 2;

/** The hardware_config fields of the link-bandwidth term. */
export interface LinkTerm {
  /** The GPU's interconnect bandwidth, GB/s both directions (top-level `InterconnectGBs`). */
  readonly InterconnectGBs?: number;
  /** Multiplies the all-reduces' data time at the datasheet link rate; 0 or absent = off (BLIS). */
  readonly allReduceLinkScale?: number;
  /** µs per ring step of every all-reduce, 2(tp − 1) steps each; 0 or absent = off (BLIS). */
  readonly allReduceHopMicros?: number;
}

/** µs the all-reduces' ring steps add to every step at TP > 1 (0 when off). */
export function allReduceHopsPerStepMicros(arch: ModelArch, tp: number, link: LinkTerm): number {
  return ALL_REDUCES_PER_LAYER * arch.numLayers * ringAllReduceHopsMicros(tp, link.allReduceHopMicros ?? 0);
}

/**
 * Seconds the all-reduces of one step add per token the step computes: every layer's two
 * all-reduces each carry that token's activation row (hidden_size × activation bytes), at the
 * link's datasheet rate times `allReduceLinkScale` (the inverse of the bandwidth an all-reduce
 * achieves, 1.25 for 80 %). 0 at TP 1 or with the scale off. A GPU without `InterconnectGBs`
 * cannot take the term at TP > 1: an error naming the field.
 */
export function allReduceSecondsPerToken(arch: ModelArch, tp: number, link: LinkTerm, where: string): number {
  const scale = link.allReduceLinkScale ?? 0;
  if (tp <= 1 || scale === 0) return 0;
  const gbs = link.InterconnectGBs ?? 0;
  if (!(gbs > 0)) {
    throw new InputError(
      `${where}: allReduceLinkScale needs the GPU's InterconnectGBs (> 0) at TP ${tp}, got ${link.InterconnectGBs}`,
    );
  }
  const perToken = ringAllReduceSeconds(arch.hiddenSize * arch.bytesPerParam, tp, gbs);
  return ALL_REDUCES_PER_LAYER * arch.numLayers * perToken * scale;
}
