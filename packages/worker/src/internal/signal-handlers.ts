import type { Worker } from '../worker.js';

const SIGNALS = ['SIGTERM', 'SIGINT'] as const;

/**
 * On the first SIGTERM/SIGINT: close the worker gracefully, then, when nothing else listens for that signal,
 * re-raise it so the process ends the way the signal meant (the broker's pool would otherwise keep it
 * alive). A second signal aborts running handlers at once. Returns a function removing the handlers.
 * @internal
 */
export function installSignalHandlers(worker: Worker): () => void {
  let received = 0;
  const onSignal = (signal: NodeJS.Signals) => {
    received += 1;
    if (received > 1) {
      worker.options.logger.warn(`${signal} again: aborting running tasks`, { workerId: worker.workerId });
      worker.abortRunning();
      return;
    }
    worker.options.logger.info(`${signal}: shutting down gracefully`, { workerId: worker.workerId });
    void worker.close().finally(() => {
      if (process.listenerCount(signal) === 0) process.kill(process.pid, signal);
    });
  };
  for (const signal of SIGNALS) process.on(signal, onSignal);
  return () => {
    for (const signal of SIGNALS) process.off(signal, onSignal);
  };
}
