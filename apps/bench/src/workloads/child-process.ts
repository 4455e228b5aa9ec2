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

/**
 * The child side of {@link forkBenchScript}: when this process was forked with a config argument, runs
 * `main(config, send)`, then disconnects; a failure is sent as the `{ type: 'error', message }` that
 * {@link nextMessage} rejects with, and sets a non-zero exit code. Does nothing when the module is imported.
 */
export function runAsBenchChild<C, M>(main: (config: C, send: (message: M) => void) => Promise<void>): void {
  if (!process.send || !process.argv[2]) return;
  const send = (message: M | { type: 'error'; message: string }) => process.send?.(message);
  main(JSON.parse(process.argv[2]) as C, send).then(
    () => process.disconnect(),
    (error: unknown) => {
      send({
        type: 'error',
        message: error instanceof Error ? (error.stack ?? error.message) : String(error),
      });
      process.exitCode = 1;
      process.disconnect();
    },
  );
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
