#!/usr/bin/env node
// Runs the CLI from a bundle of the TypeScript sources (built on first use, see bundle.mjs),
// or through tsx where none can be built (or BLIS_EVAL_TSX=1), so `npx blis-eval` works
// straight after `npm ci`.
import { fileURLToPath, pathToFileURL } from 'node:url';
import { bundledCli } from './bundle.mjs';

const bundle = process.env.BLIS_EVAL_TSX
  ? null
  : await bundledCli(fileURLToPath(new URL('..', import.meta.url)));
let main;
if (bundle !== null) {
  process.setSourceMapsEnabled(true);
  ({ main } = await import(pathToFileURL(bundle).href));
} else {
  const { register } = await import('tsx/esm/api');
  register();
  ({ main } = await import('../src/cli.ts'));
}
process.exitCode = await main(process.argv);
