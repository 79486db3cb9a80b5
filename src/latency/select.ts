import { InputError } from '../errors.ts';
import { LATENCY_MODELS, type LatencyModelName } from './types.ts';

export interface SelectionFlags {
  /** --latency-model; absent or 'auto' = the seed integration's implicit rule. */
  readonly latencyModel?: string;
  readonly modelConfigFolder?: string;
  readonly hardwareConfig?: string;
  readonly benchDataPath?: string;
}

/**
 * Which latency model a run uses, as the seed integration defines it: --model-config-folder
 * and --hardware-config together turn roofline on; then a non-empty --bench-data-path selects
 * roofline-v2, else roofline-v1; without them, blackbox. An explicit --latency-model wins.
 */
export function selectLatencyModelKind(flags: SelectionFlags): LatencyModelName {
  const explicit = flags.latencyModel;
  if (explicit !== undefined && explicit !== '' && explicit !== 'auto') {
    if (!(LATENCY_MODELS as readonly string[]).includes(explicit)) {
      throw new InputError(
        `--latency-model: unknown '${explicit}' (choose ${LATENCY_MODELS.join(', ')} or auto)`,
      );
    }
    return explicit as LatencyModelName;
  }
  const roofline = Boolean(flags.modelConfigFolder) && Boolean(flags.hardwareConfig);
  if (!roofline) return 'blackbox';
  return flags.benchDataPath ? 'roofline-v2' : 'roofline-v1';
}
