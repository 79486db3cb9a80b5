/**
 * The `--workload chatbot|summarization|contentgen|multidoc` presets. They use the
 * distribution generator with these lengths; rate and request count come from the CLI.
 *
 * Values from BLIS v0.6.1 defaults.yaml, `workloads:` section (reference §12.3; also
 * shared/data/blis/coefficients_v0.6.1.json `workload_presets`). Hard-coded so the
 * product never reads the reference data at run time. multidoc has no prefix key
 * there, which BLIS reads as 0.
 */
import { InputError } from '../errors.ts';
import type { DistributionLengths } from './distribution.ts';

export const PRESET_NAMES = ['chatbot', 'summarization', 'contentgen', 'multidoc'] as const;
export type PresetName = (typeof PRESET_NAMES)[number];

function lengths(prompt: readonly number[], output: readonly number[]): DistributionLengths {
  const [pm = 0, ps = 0, pmin = 0, pmax = 0] = prompt;
  const [om = 0, os = 0, omin = 0, omax = 0] = output;
  return {
    prefixTokens: 0,
    promptTokens: pm,
    promptTokensStdev: ps,
    promptTokensMin: pmin,
    promptTokensMax: pmax,
    outputTokens: om,
    outputTokensStdev: os,
    outputTokensMin: omin,
    outputTokensMax: omax,
  };
}

/** mean / stdev / min / max for prompt and output, per preset. */
export const WORKLOAD_PRESETS: Readonly<Record<PresetName, Readonly<DistributionLengths>>> = {
  chatbot: lengths([256, 100, 2, 800], [256, 100, 1, 1024]),
  summarization: lengths([4096, 500, 100, 8192], [512, 150, 10, 2048]),
  contentgen: lengths([1024, 150, 10, 2048], [1024, 200, 10, 2048]),
  multidoc: lengths([10240, 1200, 500, 20480], [1536, 300, 50, 4096]),
};

export function isPresetName(name: string): name is PresetName {
  return (PRESET_NAMES as readonly string[]).includes(name);
}

/** The lengths of a named preset; an InputError naming `--workload` for anything else. */
export function presetLengths(name: string): DistributionLengths {
  if (!isPresetName(name)) {
    throw new InputError(`--workload: unknown preset "${name}"; valid: ${PRESET_NAMES.join(', ')}`);
  }
  return { ...WORKLOAD_PRESETS[name] };
}
