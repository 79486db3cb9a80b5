import type { z } from 'zod';

/** One line per issue: `file: path.to.field: message`. */
export function formatZodError(
  file: string,
  err: z.ZodError,
  prefix: readonly (string | number)[] = [],
): string {
  return err.issues
    .map((i) => {
      const path = [...prefix, ...i.path]
        .map((p) => (typeof p === 'number' ? `[${p}]` : `.${String(p)}`))
        .join('');
      return `${file}: ${path.replace(/^\./, '') || '(root)'}: ${i.message}`;
    })
    .join('\n');
}
