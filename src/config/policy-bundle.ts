import { readFileSync } from 'node:fs';
import { parse } from 'yaml';
import { z } from 'zod';
import { InputError } from '../errors.ts';
import { ADMISSION_POLICIES } from '../sim/admission.ts';
import { PRIORITY_POLICIES, SCHEDULERS } from '../sim/queue-order.ts';
import { ROUTING_POLICIES, SCORER_NAMES } from '../sim/routing.ts';
import { formatZodError } from './zod-error.ts';

const bundleSchema = z.strictObject({
  admission: z
    .strictObject({
      policy: z.enum(ADMISSION_POLICIES).optional(),
      token_bucket_capacity: z.number().positive().optional(),
      token_bucket_refill_rate: z.number().positive().optional(),
    })
    .optional(),
  routing: z
    .strictObject({
      policy: z.enum(ROUTING_POLICIES).optional(),
      scorers: z
        .array(z.strictObject({ name: z.enum(SCORER_NAMES), weight: z.number().positive() }))
        .optional(),
    })
    .optional(),
  priority: z.strictObject({ policy: z.enum(PRIORITY_POLICIES).optional() }).optional(),
  scheduler: z.enum(SCHEDULERS).optional(),
});

export type PolicyBundle = z.infer<typeof bundleSchema>;

/** `--policy-config`: a YAML bundle of admission, routing, priority and scheduler choices. */
export function loadPolicyBundle(path: string): PolicyBundle {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch {
    throw new InputError(`--policy-config: cannot read ${path}`);
  }
  let doc: unknown;
  try {
    doc = parse(text) ?? {};
  } catch (e) {
    throw new InputError(`${path}: not valid YAML: ${(e as Error).message}`);
  }
  const parsed = bundleSchema.safeParse(doc);
  if (!parsed.success) throw new InputError(formatZodError(path, parsed.error));
  return parsed.data;
}
