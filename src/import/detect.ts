/** `--format auto`: each format recognised by its files and keys. */
import { InputError } from '../errors.ts';
import { isAiperf } from './aiperf.ts';
import { isBlisTrace } from './blis-trace.ts';
import { isGuidellm } from './guidellm.ts';
import { isInferencePerf } from './inference-perf.ts';
import { isLmbench } from './lmbench.ts';
import type { Bundle, Format } from './types.ts';
import { isVllmBench } from './vllm-bench.ts';
import { isVllmBenchText } from './vllm-bench-text.ts';

const CHECKS: [Format, (b: Bundle) => boolean][] = [
  ['inference-perf', isInferencePerf],
  ['aiperf', isAiperf],
  ['guidellm', isGuidellm],
  ['vllm-bench', isVllmBench],
  ['blis-trace', isBlisTrace],
  ['lmbench', isLmbench],
  // Last: a folder with the result JSON and a console log of the same runs imports the JSON.
  ['vllm-bench-text', isVllmBenchText],
];

export function detectFormat(bundle: Bundle): Format {
  const hit = CHECKS.find(([, is]) => is(bundle));
  if (!hit) {
    throw new InputError(
      `${bundle.name}: no known benchmark output (inference-perf summary_lifecycle_metrics.json, vllm bench JSON, guidellm report, AIPerf profile_export, BLIS trace header, LMBench CSV, printed "Serving Benchmark Result"); pass --format to say which`,
    );
  }
  return hit[0];
}
