/** The channel on which each worker says its module has loaded (worker.ts → pool.ts). */
export const WORKER_READY_CHANNEL = 'blis-eval:worker-ready';
