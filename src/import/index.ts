/** One entry point for every format: path bundles in, ground-truth experiments out. */
import { importAiperf } from './aiperf.ts';
import { importBlisTrace } from './blis-trace.ts';
import type { ImportContext } from './context.ts';
import { detectFormat } from './detect.ts';
import { importGuidellm } from './guidellm.ts';
import { importInferencePerf } from './inference-perf.ts';
import { importLmbench } from './lmbench.ts';
import type { Bundle, Format, ImportedExperiment } from './types.ts';
import { importVllmBench } from './vllm-bench.ts';
import { importVllmBenchText } from './vllm-bench-text.ts';

const IMPORTERS: Record<Format, (b: Bundle, ctx: ImportContext) => ImportedExperiment[]> = {
  'inference-perf': importInferencePerf,
  'vllm-bench': importVllmBench,
  guidellm: importGuidellm,
  aiperf: importAiperf,
  'blis-trace': importBlisTrace,
  'vllm-bench-text': importVllmBenchText,
  lmbench: importLmbench,
};

export function importBundle(bundle: Bundle, format: Format | 'auto', ctx: ImportContext) {
  const f = format === 'auto' ? detectFormat(bundle) : format;
  return { format: f, experiments: IMPORTERS[f](bundle, ctx) };
}
