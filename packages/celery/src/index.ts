// @celers/celery: Python Celery and celers on one MySQL (kombu's SQLAlchemy transport, Celery's database backend).
export {
  CeleryRetry,
  type CeleryRetryOptions,
  type CeleryTaskContext,
  type CeleryTaskHandler,
  type CeleryTaskHandlers,
} from './consumer/celery-handler.js';
export { type CeleryWorker, type CeleryWorkerStats, runCeleryWorker } from './consumer/celery-worker.js';
export type { CeleryWorkerEvent } from './consumer/celery-worker-events.js';
export {
  type CeleryWorkerOptions,
  DEFAULT_CELERY_CONCURRENCY,
  DEFAULT_CELERY_LEASE_MS,
  DEFAULT_CELERY_MAX_RETRIES,
  DEFAULT_CELERY_POLL_INTERVAL_MS,
  DEFAULT_CELERY_RETRY_DELAY_MS,
  DEFAULT_CELERY_SHUTDOWN_TIMEOUT_MS,
  DEFAULT_UNKNOWN_TASK_DELAY_MS,
  type ResolvedCeleryWorkerOptions,
  resolveCeleryWorkerOptions,
} from './consumer/celery-worker-options.js';
export { decodePickle } from './pickle/pickle-decoder.js';
export { encodePickle } from './pickle/pickle-encoder.js';
export type { PickleValue } from './pickle/pickle-value.js';
export { parseBigJson, stringifyBigJson } from './protocol/big-json.js';
export type { CeleryEmbed, CeleryHeaders, CeleryMessage } from './protocol/celery-message.js';
export { decodeCeleryMessage } from './protocol/decode-message.js';
export {
  type CeleryResult,
  getCeleryResult,
  type WaitCeleryResultOptions,
  waitCeleryResult,
} from './results/celery-result.js';
export { CELERY_READY_STATES, CELERY_STATES, type CeleryState } from './results/celery-states.js';
export type { CeleryExceptionInfo } from './results/exception-info.js';
export { DEFAULT_CELERY_QUEUE, type SendCeleryTaskOptions, sendCeleryTask } from './send/send-celery-task.js';
export { type AnyDb, ensureCelerySchema } from './sql/kombu-schema.sql.js';
