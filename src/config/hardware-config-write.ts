import { InputError } from '../errors.ts';
import { DEFAULTS_KEY } from './hardware-config.ts';

type Value = number | readonly number[];

/**
 * Writing tuned values back into hardware_config.json: only the named fields change; key
 * order, the file's own spelling of each field and 2-space formatting are kept. `gpuKey` may
 * be "defaults" (the entry every GPU inherits from; created first in the file if missing).
 */
export function updateHardwareConfigText(
  text: string,
  gpuKey: string,
  section: 'v1' | 'v2' | 'trainedPhysics',
  values: Readonly<Record<string, Value>>,
): string {
  let json = JSON.parse(text) as Record<string, unknown>;
  let key = findKey(json, gpuKey);
  if (key === undefined && gpuKey.toLowerCase() === DEFAULTS_KEY) {
    json = { [DEFAULTS_KEY]: {}, ...json };
    key = DEFAULTS_KEY;
  }
  if (key === undefined) throw new InputError(`hardware config: no GPU '${gpuKey}' to update`);
  const entry = json[key] as Record<string, unknown>;
  const sectionKey = findKey(entry, section);
  let target: Record<string, unknown>;
  if (sectionKey !== undefined) target = entry[sectionKey] as Record<string, unknown>;
  else if (section !== 'trainedPhysics' && Object.keys(values).every((f) => findKey(entry, f) !== undefined))
    target = entry; // flat BLIS file
  else {
    target = {};
    entry[section] = target;
  }
  for (const [field, value] of Object.entries(values)) {
    const all = typeof value === 'number' ? [value] : value;
    if (!all.every(Number.isFinite))
      throw new InputError(`hardware config: ${key}.${section}.${field} must be finite`);
    target[findKey(target, field) ?? field] = value;
  }
  return `${JSON.stringify(json, null, 2)}\n`;
}

/**
 * Removes `fields` from `section` of every GPU entry (not from defaults), so that every GPU
 * inherits them from the defaults entry; formatting as updateHardwareConfigText.
 */
export function inheritEverywhere(text: string, section: 'v1' | 'v2', fields: readonly string[]): string {
  return removeFields(text, (key) => key.toLowerCase() !== DEFAULTS_KEY, section, fields);
}

/** Removes `fields` from `section` of the entries (defaults included) whose key `which` accepts. */
export function removeFields(
  text: string,
  which: (key: string) => boolean,
  section: 'v1' | 'v2',
  fields: readonly string[],
): string {
  const json = JSON.parse(text) as Record<string, unknown>;
  for (const [key, entry] of Object.entries(json)) {
    if (!which(key) || typeof entry !== 'object' || entry === null) continue;
    const e = entry as Record<string, unknown>;
    const sectionKey = findKey(e, section);
    if (sectionKey === undefined) continue;
    const target = e[sectionKey] as Record<string, unknown>;
    for (const f of fields) {
      const k = findKey(target, f);
      if (k !== undefined) delete target[k];
    }
  }
  return `${JSON.stringify(json, null, 2)}\n`;
}

function findKey(obj: Record<string, unknown>, field: string): string | undefined {
  return Object.keys(obj).find((k) => k.toLowerCase() === field.toLowerCase());
}
