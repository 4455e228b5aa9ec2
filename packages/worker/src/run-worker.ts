import { Worker } from './worker.js';
import type { WorkerOptions } from './worker-options.js';

/**
 * Starts a worker for a script or container entry point: signal handling on by default (SIGTERM/SIGINT close it
 * gracefully, then the process exits as the signal intended), and resolves once it is registered and polling.
 *
 * @example
 * ```ts
 * const broker = await MysqlBroker.connect({ url: process.env.CELERS_DATABASE_URL!, queue: 'emails' });
 * const worker = await runWorker({ broker, handlers: { 'emails.send': sendEmail }, concurrency: 16 });
 * worker.on('task:failed', ({ taskId, error }) => console.error(taskId, error.message));
 * ```
 */
export async function runWorker(options: WorkerOptions): Promise<Worker> {
  const worker = new Worker({ ...options, handleSignals: options.handleSignals ?? true });
  await worker.start();
  return worker;
}
