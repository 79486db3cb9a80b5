import picomatch from 'picomatch';
import { InputError } from '../errors.ts';

/** --only / --exclude: experiment names or globs (`*` also spans `/`). */
export interface ExperimentFilter {
  readonly only?: readonly string[] | undefined;
  readonly exclude?: readonly string[] | undefined;
}

const matcher = (pattern: string) => picomatch(pattern, { bash: true, dot: true });

/**
 * The experiments --only keeps and --exclude does not drop, in file order. A pattern that
 * matches no experiment of the file is a typo, not a no-op, and so is a selection that keeps
 * nothing: both are bad input naming the file's experiments.
 */
export function selectExperiments<T extends { readonly name: string }>(
  experiments: readonly T[],
  filter: ExperimentFilter,
  source: string,
): T[] {
  const names = experiments.map((x) => x.name);
  const known = () => `${names.slice(0, 12).join(', ')}${names.length > 12 ? ', …' : ''}`;
  const test = (flag: string, patterns: readonly string[]) =>
    patterns.map((p) => {
      const isMatch = matcher(p);
      if (!names.some((n) => isMatch(n))) {
        throw new InputError(
          `--${flag} '${p}': matches no experiment of ${source} (experiments: ${known()})`,
        );
      }
      return isMatch;
    });
  const only = test('only', filter.only ?? []);
  const exclude = test('exclude', filter.exclude ?? []);
  const kept = experiments.filter(
    (x) => (only.length === 0 || only.some((m) => m(x.name))) && !exclude.some((m) => m(x.name)),
  );
  if (kept.length === 0) throw new InputError(`${source}: --only / --exclude leave no experiment`);
  return kept;
}
