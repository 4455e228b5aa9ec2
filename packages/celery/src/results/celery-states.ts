/** Celery's task states (`celery.states`), as stored in `celery_taskmeta.status`. */
export const CELERY_STATES = {
  PENDING: 'PENDING',
  RECEIVED: 'RECEIVED',
  STARTED: 'STARTED',
  SUCCESS: 'SUCCESS',
  FAILURE: 'FAILURE',
  REVOKED: 'REVOKED',
  RETRY: 'RETRY',
} as const;

/** One of {@link CELERY_STATES}. */
export type CeleryState = (typeof CELERY_STATES)[keyof typeof CELERY_STATES];

/** States after which the task will not change again (`celery.states.READY_STATES`). */
export const CELERY_READY_STATES: ReadonlySet<string> = new Set(['SUCCESS', 'FAILURE', 'REVOKED']);
