import { existsSync, statSync } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import { modelFolderName } from '../config/model-config.ts';
import { InputError } from '../errors.ts';

interface Served {
  readonly model: string;
  readonly modelConfig?: string | undefined;
}

const isDir = (p: string) => statSync(p).isDirectory();

/**
 * Applies `--model-config [<model>=]<path>` flags to the experiments of a file: each path is a
 * model's config.json, its folder, or a folder of model folders (as model_configs/). A path
 * binds to the model named before `=`, else to the models whose folder name (the id's last
 * segment, lower-cased) is the config's folder name, else to the file's one model. Later
 * flags win. A flag that binds nothing is bad input naming the file's models.
 */
export function bindModelConfigs<T extends Served>(
  experiments: readonly T[],
  args: readonly string[],
): (T & { modelConfig?: string | undefined })[] {
  let out: (T & { modelConfig?: string | undefined })[] = [...experiments];
  const models = [...new Set(experiments.map((x) => x.model))];
  for (const arg of args) {
    const eq = arg.indexOf('=');
    const named = eq > 0 && !existsSync(arg);
    const path = resolve(named ? arg.slice(eq + 1) : arg);
    if (!existsSync(path)) throw new InputError(`--model-config ${arg}: ${path} not found`);
    const pick = bindingOf(arg, path, named ? arg.slice(0, eq) : undefined, models);
    out = out.map((x) => {
      const p = pick(x.model);
      return p === undefined ? x : { ...x, modelConfig: p };
    });
  }
  return out;
}

function bindingOf(
  arg: string,
  path: string,
  model: string | undefined,
  models: readonly string[],
): (model: string) => string | undefined {
  const fail = (why: string): never => {
    throw new InputError(
      `--model-config ${arg}: ${why} (models: ${models.join(', ')}); write <model>=<path> to bind it`,
    );
  };
  if (model !== undefined) {
    const want = model.toLowerCase();
    if (!models.some((m) => m.toLowerCase() === want)) fail(`no experiment serves '${model}'`);
    return (m) => (m.toLowerCase() === want ? path : undefined);
  }
  if (isDir(path) && !existsSync(join(path, 'config.json'))) {
    const under = (m: string) => join(path, modelFolderName(m));
    if (!models.some((m) => existsSync(join(under(m), 'config.json')))) {
      fail(`no <model folder>/config.json under it for any model`);
    }
    return (m) => (existsSync(join(under(m), 'config.json')) ? under(m) : undefined);
  }
  const folder = basename(isDir(path) ? path : dirname(path)).toLowerCase();
  if (models.some((m) => modelFolderName(m) === folder)) {
    return (m) => (modelFolderName(m) === folder ? path : undefined);
  }
  if (models.length === 1) return () => path;
  return fail(`its folder '${folder}' names none of the file's models`);
}
