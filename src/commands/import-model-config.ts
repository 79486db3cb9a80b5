import { basename } from 'node:path';
import { modelFolderName, readModelConfigJson } from '../config/model-config.ts';
import { InputError } from '../errors.ts';
import { bindModelConfigs } from '../eval/model-config-args.ts';
import type { ImportedExperiment } from '../import/types.ts';

/**
 * `import --model-config [<model>=]<path>`: each config bound to an imported experiment's
 * model (the evaluator's binding rules) is copied beside the output file, as
 * `<out>.models/<model folder>/config.json`, and the experiment records it as `model_config`,
 * so the file carries the configs of models that have no folder under model_configs/.
 * Returns the files to write (path relative to the output's folder → text); a config that is
 * not a JSON object is bad input naming it.
 */
export function attachModelConfigs(
  experiments: readonly ImportedExperiment[],
  args: readonly string[],
  out: string,
): Map<string, string> {
  const files = new Map<string, string>();
  if (args.length === 0) return files;
  const dir = `${basename(out).replace(/\.json$/i, '')}.models`;
  const bound = bindModelConfigs(
    experiments.map((x) => ({ model: String(x.json.model) })),
    args,
  );
  bound.forEach((b, i) => {
    if (b.modelConfig === undefined) return;
    const { json, file } = readModelConfigJson(b.modelConfig, b.model);
    if (typeof json !== 'object' || json === null || Array.isArray(json)) {
      throw new InputError(`${file}: expected a JSON object (a Hugging Face config.json)`);
    }
    const ref = `${dir}/${modelFolderName(b.model)}/config.json`;
    files.set(ref, `${JSON.stringify(json, null, 2)}\n`);
    experiments[i]!.json.model_config = ref;
  });
  return files;
}
