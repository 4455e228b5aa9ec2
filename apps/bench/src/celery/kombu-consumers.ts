import { dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { runCeleryWorker } from '@celers/celery';
import { createDatabase, warmupPool } from '@celers/schema';
import { type PythonPool, startPythonWorker } from '@celers/testing';

/** Where `bench_celery_app.py` lives: the Python worker runs with this as its working directory. */
const APP_DIR = dirname(fileURLToPath(import.meta.url));

/** The no-op task W10 drains: `bench_celery_app.py` defines it for Python, {@link startCelersConsumer} for celers. */
export const NOOP_TASK = 'bench.noop';

/** A consumer of one kombu queue, either side. */
export interface KombuConsumer {
  /** For the report, e.g. `python celery worker --pool=solo`. */
  readonly label: string;
  /** Resolves with an error if the consumer dies before `stop()`; never rejects. */
  readonly failed: Promise<Error>;
  /** Errors the consumer reported and survived (celers' `error`, `message:quarantined`, `lease:lost` events). */
  errors(): number;
  /** The first such error's message, for the notes; `null` when there was none. */
  firstError(): string | null;
  /** Stops the consumer and releases what it holds (processes, pools). Safe to call twice. */
  stop(): Promise<void>;
}

/** Starts an unmodified `celery worker` with `pool` on `queue` of the database at `url`. */
export function startPythonConsumer(url: string, queue: string, pool: PythonPool): KombuConsumer {
  const worker = startPythonWorker({ dbUrl: url, queue, pool, app: 'bench_celery_app', cwd: APP_DIR });
  const label =
    pool.kind === 'solo'
      ? 'python celery worker --pool=solo'
      : `python celery worker --pool=prefork --concurrency=${pool.concurrency}`;
  return {
    label,
    failed: worker.exitedEarly,
    errors: () => 0,
    firstError: () => null,
    stop: () => worker.stop(),
  };
}

/**
 * Starts the celers Celery consumer (`runCeleryWorker`, defaults otherwise) with `concurrency` on `queue`,
 * on its own pool (warmed first, as the other drain workloads do).
 */
export async function startCelersConsumer(
  url: string,
  queue: string,
  concurrency: number,
): Promise<KombuConsumer> {
  const db = createDatabase(url);
  try {
    await warmupPool(db, concurrency);
  } catch (error) {
    await db.destroy();
    throw error;
  }
  let errors = 0;
  let firstError: string | null = null;
  let stopped = false;
  const worker = runCeleryWorker({
    db,
    queues: [queue],
    concurrency,
    handlers: { [NOOP_TASK]: () => null },
    onEvent: (event) => {
      if (event.type !== 'error' && event.type !== 'message:quarantined' && event.type !== 'lease:lost')
        return;
      errors += 1;
      firstError ??= event.type === 'lease:lost' ? `lease lost on ${event.taskId}` : event.error.message;
    },
  });
  const failed = worker.done.then(
    () => new Error(`celers Celery consumer stopped${stopped ? '' : ' by itself'}`),
    (error: unknown) => (error instanceof Error ? error : new Error(String(error))),
  );
  return {
    label: `celers runCeleryWorker, concurrency ${concurrency}`,
    failed,
    errors: () => errors,
    firstError: () => firstError,
    async stop() {
      if (stopped) return;
      stopped = true;
      try {
        await worker.close();
      } finally {
        await db.destroy();
      }
    },
  };
}
