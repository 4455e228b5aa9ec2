import { type ChildProcess, fork } from 'node:child_process';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The bench app's root, where tsx finds the tsconfig that maps `@celers/*` to sources. */
export const BENCH_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../..');

/** Starts a TypeScript child script of the bench with tsx and an IPC channel. */
export function forkBenchScript(relativePath: string, config: unknown): ChildProcess {
  return fork(resolve(BENCH_ROOT, relativePath), [JSON.stringify(config)], {
    cwd: BENCH_ROOT,
    execArgv: ['--import', 'tsx'],
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
}

/** Resolves with the first IPC message matching `type`; rejects on an `error` message or an early exit. */
export function nextMessage<T extends { type: string }>(child: ChildProcess, type: T['type']): Promise<T> {
  return new Promise((resolvePromise, reject) => {
    const onMessage = (message: { type: string; message?: string }) => {
      if (message.type === type) {
        cleanup();
        resolvePromise(message as T);
      } else if (message.type === 'error') {
        cleanup();
        reject(new Error(`child failed: ${message.message}`));
      }
    };
    const onExit = (code: number | null) => {
      cleanup();
      reject(new Error(`child exited (code ${code}) before sending "${type}"`));
    };
    const cleanup = () => {
      child.off('message', onMessage);
      child.off('exit', onExit);
    };
    child.on('message', onMessage);
    child.on('exit', onExit);
  });
}

/** Resolves when the child has exited (at once if it already has). */
export function exited(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolvePromise) => child.once('exit', () => resolvePromise()));
}
