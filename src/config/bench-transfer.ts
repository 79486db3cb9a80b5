/**
 * roofline-v2 on a GPU without MFU tables (ours): the tables of the measured GPU nearest in
 * architecture, moved by mfu/transfer.ts's rule. Nearest: the closest compute capability
 * (gpu-names.ts; an unknown one ranks last), then the closest ratio of peak FLOP/s to
 * bandwidth (the ridge point, on a log scale), then the name. Only a GPU with GEMM, prefill
 * and decode tables is a source.
 */
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { InputError } from '../errors.ts';
import { type GemmFallback, MfuDatabase } from '../mfu/database.ts';
import { type GpuPeaks, transferBenchData } from '../mfu/transfer.ts';
import { externalGpus, isDir, type LoadedBenchData, loadBenchData } from './bench-data.ts';
import { computeCapability } from './gpu-names.ts';
import { type GpuSpec, type HardwareConfig, lookupGpu } from './hardware-config.ts';

export interface TransferredTables {
  readonly db: MfuDatabase;
  /** The measured GPU the tables came from (its hardware-config key). */
  readonly from: string;
}

function peaks(g: GpuSpec): GpuPeaks | null {
  return g.TFlopsPeak && g.BwPeakTBs ? { tflops: g.TFlopsPeak, bwTBs: g.BwPeakTBs } : null;
}

const complete = (d: LoadedBenchData) =>
  d.data.gemm.points.length > 0 && d.data.prefill.size > 0 && d.data.decode.size > 0;

/** Every GPU under `root` with complete tables and known peaks, with its tables. */
function measuredGpus(root: string, hardware: HardwareConfig): { gpu: GpuSpec; data: LoadedBenchData }[] {
  const names = isDir(root)
    ? [...readdirSync(root).filter((e) => isDir(join(root, e))), ...externalGpus(root)]
    : [];
  const out: { gpu: GpuSpec; data: LoadedBenchData }[] = [];
  const seen = new Set<string>();
  for (const name of names) {
    const gpu = lookupGpu(hardware, name);
    if (gpu === undefined || seen.has(gpu.key) || peaks(gpu) === null) continue;
    seen.add(gpu.key);
    let data: LoadedBenchData;
    try {
      data = loadBenchData(root, gpu.key, { aliases: gpu.aliases });
    } catch (e) {
      if (e instanceof InputError) continue;
      throw e;
    }
    if (complete(data)) out.push({ gpu, data });
  }
  return out;
}

/** How far a measured GPU is from the target: compute capability first, then the ridge point. */
function distance(target: GpuSpec, source: GpuSpec): [number, number] {
  const ct = computeCapability(target.key);
  const cs = computeCapability(source.key);
  const arch = ct === undefined || cs === undefined ? Number.POSITIVE_INFINITY : Math.abs(ct - cs);
  const t = peaks(target)!;
  const s = peaks(source)!;
  return [arch, Math.abs(Math.log(t.tflops / t.bwTBs / (s.tflops / s.bwTBs)))];
}

/**
 * The transferred MFU database of `target`, or an error naming why none can be made (no
 * peaks, no measured GPU with complete tables under `root`).
 */
export function transferredDatabase(
  root: string,
  target: GpuSpec,
  hardware: HardwareConfig,
  opts: { warn?: (m: string) => void; gemmFallback?: GemmFallback } = {},
): TransferredTables {
  const to = peaks(target);
  if (to === null)
    throw new InputError(
      `${target.source}: GPU '${target.key}' has no TFlopsPeak/BwPeakTBs to transfer MFU tables to`,
    );
  const sources = measuredGpus(root, hardware).sort((a, b) => {
    const [da, db] = [distance(target, a.gpu), distance(target, b.gpu)];
    return da[0] - db[0] || da[1] - db[1] || (a.gpu.key < b.gpu.key ? -1 : 1);
  });
  const best = sources[0];
  if (best === undefined) {
    throw new InputError(
      `no MFU tables for GPU ${target.key} under ${root}, and no measured GPU there to transfer them from`,
    );
  }
  const label = `transferred from ${best.gpu.key} to ${target.key}`;
  const data = transferBenchData(best.data.data, peaks(best.gpu)!, to, label);
  const db = new MfuDatabase(data, {
    label: `${best.data.dir} (${label})`,
    ...(opts.warn && { onWarning: opts.warn }),
    ...(opts.gemmFallback && { gemmFallback: opts.gemmFallback }),
  });
  return { db, from: best.gpu.key };
}
