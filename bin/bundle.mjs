// Compiles the TypeScript sources once per source version into
// node_modules/.cache/blis-eval/<hash>/ with esbuild, so the CLI and every worker thread
// load plain JavaScript: under tsx each thread would register its loader hooks and pass
// each module through them again (about 0.5 s at start-up, 0.6 s per worker).
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, statSync } from 'node:fs';
import { join } from 'node:path';

const OPTIONS = {
  // The worker is named after the source entry so `new URL('./worker-entry.mjs', import.meta.url)`
  // in the pool finds it beside the bundle, as it finds the tsx entry beside the sources.
  entryPoints: { cli: 'src/cli.ts', 'worker-entry': 'src/eval/worker.ts' },
  bundle: true,
  splitting: true,
  format: 'esm',
  platform: 'node',
  target: 'node20',
  packages: 'external',
  sourcemap: true,
  outExtension: { '.js': '.mjs' },
  logLevel: 'silent',
};
const KEEP_MS = 24 * 3600 * 1000;

/** Path of the bundled CLI for the current sources, or null where it cannot be built. */
export async function bundledCli(root) {
  try {
    const hash = createHash('sha256').update(JSON.stringify(OPTIONS));
    hash.update(readFileSync(join(root, 'tsconfig.json')));
    const src = join(root, 'src');
    for (const f of readdirSync(src, { recursive: true }).sort()) {
      if (/\.(ts|mjs)$/.test(f)) hash.update(`\0${f}\0`).update(readFileSync(join(src, f)));
    }
    const cache = join(root, 'node_modules', '.cache', 'blis-eval');
    const dir = join(cache, hash.digest('hex').slice(0, 16));
    const cli = join(dir, 'cli.mjs');
    if (existsSync(cli)) return cli;
    const { build } = await import('esbuild');
    mkdirSync(cache, { recursive: true });
    const tmp = `${dir}.tmp-${process.pid}`;
    await build({ ...OPTIONS, absWorkingDir: root, outdir: tmp });
    try {
      renameSync(tmp, dir);
    } catch {
      rmSync(tmp, { recursive: true, force: true }); // another process built it first
    }
    prune(cache, dir);
    return existsSync(cli) ? cli : null;
  } catch {
    return null;
  }
}

/** Drops builds of older sources after a day (a long run may still be using one). */
function prune(cache, keep) {
  for (const name of readdirSync(cache)) {
    const path = join(cache, name);
    try {
      if (path !== keep && Date.now() - statSync(path).mtimeMs > KEEP_MS) {
        rmSync(path, { recursive: true, force: true });
      }
    } catch {
      // another process removed or renamed it meanwhile
    }
  }
}
