/**
 * The one table of GPU names every command canonicalises through (hardware config entries,
 * coefficient rows, bench-data folders, ground truth, flags). Names compare ignoring case,
 * spaces, '-', '_' and a leading "NVIDIA". The canonical name is the key of the GPU's entry in
 * the shipped hardware_config.json.
 *
 * Provenance of the names:
 * - the canonical name and the product name: shared/data/hardware_facts.json (its key and
 *   `name`), which the shipped hardware config copies;
 * - what `nvidia-smi --query-gpu=name` prints (e.g. "NVIDIA H100 80GB HBM3",
 *   "NVIDIA A100-SXM4-80GB"), which vLLM logs and benchmark clients record;
 * - BLIS: its hardware_config.json names the 80 GB A100 `A100-SXM` and `A100-80`, its
 *   defaults.yaml coefficient rows say `A100-80`, its bench_data folders are lower case (`h100`);
 * - the form/memory spellings people write (H100-SXM5, H100-80GB, L40S-48GB).
 * A bare "H100" is the SXM5 80 GB part, as in BLIS and the hardware facts; the PCIe and NVL
 * parts (other peaks) are not in the table, so they stay unknown rather than match it.
 * Compute capabilities (the architecture: 8.0 Ampere, 8.9 Ada, 9.0 Hopper) are NVIDIA's CUDA
 * GPU list (developer.nvidia.com/cuda-gpus); roofline-v2 reads them to pick the measured GPU
 * nearest a GPU without MFU tables (config/bench-transfer.ts).
 */
interface GpuNames {
  readonly canonical: string;
  readonly names: readonly string[];
  readonly computeCapability: number;
}

const TABLE: readonly GpuNames[] = [
  {
    canonical: 'H100',
    computeCapability: 9.0,
    names: ['H100-SXM', 'H100-SXM5', 'H100-80GB', 'H100-SXM5-80GB', 'H100 80GB HBM3', 'H100 SXM5 80GB'],
  },
  { canonical: 'H200', computeCapability: 9.0, names: ['H200-SXM', 'H200-141GB', 'H200 SXM 141GB'] },
  {
    canonical: 'H800',
    computeCapability: 9.0,
    names: ['H800-SXM', 'H800-SXM5', 'H800-80GB', 'H800 80GB HBM3', 'H800 SXM5 80GB'],
  },
  { canonical: 'H20', computeCapability: 9.0, names: ['H20-96GB', 'H20 96GB'] },
  {
    canonical: 'A100-80GB',
    computeCapability: 8.0,
    names: ['A100-80', 'A100-SXM', 'A100-SXM4-80GB', 'A100-SXM-80GB', 'A100 SXM4 80GB', 'A100 80GB'],
  },
  {
    canonical: 'A100-40GB',
    computeCapability: 8.0,
    names: ['A100-40', 'A100-SXM4-40GB', 'A100-SXM-40GB', 'A100 SXM4 40GB'],
  },
  { canonical: 'L40S', computeCapability: 8.9, names: ['L40S-48GB', 'L40S 48GB'] },
  {
    canonical: 'RTX4090',
    computeCapability: 8.9,
    names: ['RTX-4090', 'GeForce-RTX-4090', 'GeForce RTX 4090', 'GeForce RTX 4090 24GB'],
  },
];

/** Names that several GPUs of the table answer to: refused with the candidates. */
const AMBIGUOUS: ReadonlyMap<string, readonly string[]> = new Map([
  ['A100', ['A100-40GB', 'A100-80GB']],
  ['A100-SXM4', ['A100-40GB', 'A100-80GB']],
]);

/** The comparison form of a GPU name: lower case, no separators, no "NVIDIA" prefix. */
export function normGpuName(name: string): string {
  return name
    .toLowerCase()
    .replace(/[\s_-]/g, '')
    .replace(/^nvidia/, '');
}

const BY_NAME = new Map<string, string>();
for (const g of TABLE) for (const n of [g.canonical, ...g.names]) BY_NAME.set(normGpuName(n), g.canonical);
const AMBIGUOUS_BY_NAME = new Map([...AMBIGUOUS].map(([n, c]) => [normGpuName(n), c]));

export type GpuNameResolution =
  | { readonly kind: 'known'; readonly canonical: string }
  | { readonly kind: 'ambiguous'; readonly candidates: readonly string[] }
  | { readonly kind: 'unknown' };

/** What the table says of a name. */
export function resolveGpuName(name: string): GpuNameResolution {
  const n = normGpuName(name);
  const canonical = BY_NAME.get(n);
  if (canonical !== undefined) return { kind: 'known', canonical };
  const candidates = AMBIGUOUS_BY_NAME.get(n);
  return candidates ? { kind: 'ambiguous', candidates } : { kind: 'unknown' };
}

/** The canonical name of a GPU the table knows; any other name as given. */
export function canonicalGpuName(name: string): string {
  const r = resolveGpuName(name);
  return r.kind === 'known' ? r.canonical : name;
}

/** True when two names name the same GPU: one canonical name, or equal comparison forms. */
export function sameGpu(a: string, b: string): boolean {
  const na = normGpuName(a);
  const nb = normGpuName(b);
  if (na === nb) return true;
  const ca = BY_NAME.get(na);
  return ca !== undefined && ca === BY_NAME.get(nb);
}

/** Why a name does not resolve, for messages: the candidates of an ambiguous name, or ''. */
export function ambiguityNote(name: string): string {
  const r = resolveGpuName(name);
  return r.kind === 'ambiguous' ? `'${name}' is ambiguous: name one of ${r.candidates.join(', ')}` : '';
}

/** A GPU's compute capability (its architecture), where the table knows the GPU. */
export function computeCapability(name: string): number | undefined {
  const r = resolveGpuName(name);
  return r.kind === 'known' ? TABLE.find((g) => g.canonical === r.canonical)?.computeCapability : undefined;
}

/** Every GPU the table knows, canonical names in table order. */
export const KNOWN_GPUS: readonly string[] = TABLE.map((g) => g.canonical);
