import { InputError } from '../errors.ts';

/**
 * Writing tuned values back into hardware_config.json: only the named fields change; key
 * order, the file's own spelling of each field and 2-space formatting are kept.
 */
export function updateHardwareConfigText(
  text: string,
  gpuKey: string,
  section: 'v1' | 'v2',
  values: Readonly<Record<string, number>>,
): string {
  const json = JSON.parse(text) as Record<string, unknown>;
  const key = findKey(json, gpuKey);
  if (key === undefined) throw new InputError(`hardware config: no GPU '${gpuKey}' to update`);
  const entry = json[key] as Record<string, unknown>;
  const sectionKey = findKey(entry, section);
  let target: Record<string, unknown>;
  if (sectionKey !== undefined) target = entry[sectionKey] as Record<string, unknown>;
  else if (Object.keys(values).every((f) => findKey(entry, f) !== undefined))
    target = entry; // flat BLIS file
  else {
    target = {};
    entry[section] = target;
  }
  for (const [field, value] of Object.entries(values)) {
    if (!Number.isFinite(value))
      throw new InputError(`hardware config: ${key}.${section}.${field} must be finite`);
    target[findKey(target, field) ?? field] = value;
  }
  return `${JSON.stringify(json, null, 2)}\n`;
}

function findKey(obj: Record<string, unknown>, field: string): string | undefined {
  return Object.keys(obj).find((k) => k.toLowerCase() === field.toLowerCase());
}
