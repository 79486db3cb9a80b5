// Piscina worker entry. tsx does not hook .ts into worker threads on Node 20, so each
// worker registers it before importing the TypeScript worker module.
import { register } from 'tsx/esm/api';

register();
const { default: run } = await import('./worker.ts');
export default run;
