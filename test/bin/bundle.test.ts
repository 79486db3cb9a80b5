import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { bundledCli } from '../../bin/bundle.mjs';
import { BIN, REPO } from '../support/cli.ts';

function project(files: Record<string, string>): string {
  const root = mkdtempSync(join(tmpdir(), 'bundle-'));
  for (const [path, text] of Object.entries({ 'tsconfig.json': '{}', ...files })) {
    mkdirSync(dirname(join(root, path)), { recursive: true });
    writeFileSync(join(root, path), text);
  }
  return root;
}

const SOURCES = {
  'src/cli.ts':
    "import { twice } from './lib.ts';\nexport const main = async (): Promise<number> => twice(21);\n",
  'src/lib.ts': 'export const twice = (n: number): number => 2 * n;\n',
  'src/eval/worker.ts': "import { twice } from '../lib.ts';\nexport default (n: number) => twice(n);\n",
};

describe('bundledCli', () => {
  it('builds the CLI and the worker entry once per source version', async () => {
    const root = project(SOURCES);
    const cli = await bundledCli(root);
    expect(cli).toMatch(/node_modules[/\\]\.cache[/\\]blis-eval[/\\][0-9a-f]{16}[/\\]cli\.mjs$/);
    const { main } = await import(cli!);
    expect(await main()).toBe(42);
    const worker = join(dirname(cli!), 'worker-entry.mjs');
    expect((await import(worker)).default(5)).toBe(10);

    const built = statSync(cli!).mtimeMs;
    expect(await bundledCli(root)).toBe(cli);
    expect(statSync(cli!).mtimeMs).toBe(built);

    writeFileSync(join(root, 'src/lib.ts'), 'export const twice = (n: number): number => n + n + 1;\n');
    const next = await bundledCli(root);
    expect(next).not.toBe(cli);
    expect(await (await import(next!)).main()).toBe(43);
    // The older build stays for a day: a long run may still start workers from it.
    expect(existsSync(worker)).toBe(true);
  });

  it('returns null where the sources do not build, so the CLI falls back to tsx', async () => {
    const root = project({ ...SOURCES, 'src/lib.ts': 'export const twice = (n: number =>;\n' });
    expect(await bundledCli(root)).toBeNull();
  });
});

describe('bin/blis-eval.mjs', () => {
  it('gives the same results from the bundle and through tsx, on two workers', async () => {
    expect(await bundledCli(REPO)).not.toBeNull();
    const run = (env: Record<string, string>) => {
      const out = mkdtempSync(join(tmpdir(), 'bundle-eval-'));
      const r = spawnSync(
        process.execPath,
        [
          BIN,
          '--ground-truth',
          resolve('test/fixtures/gt/staged.json'),
          '--jobs',
          '2',
          '--out',
          out,
          '--quiet',
        ],
        { encoding: 'utf8', env: { ...process.env, ...env } },
      );
      expect(r.status, r.stderr).toBe(0);
      const results = JSON.parse(readFileSync(join(out, 'results.json'), 'utf8'));
      return { ...results, createdAt: null, stdout: r.stdout };
    };
    expect(run({ BLIS_EVAL_TSX: '1' })).toEqual(run({}));
  });
});
