import { CelersError, type CelersErrorCode } from '@celers/core';
import { isUnavailableError, toCelersError } from '@celers/schema';

/** Error codes the dashboard adds to the broker's own (authentication, CSRF, read-only mode, routing). */
export const DashboardErrorCode = {
  UNAUTHORIZED: 'UNAUTHORIZED',
  READ_ONLY: 'READ_ONLY',
  CSRF_REJECTED: 'CSRF_REJECTED',
  /** The request's Host is not on the allow-list (421): a renamed page (DNS rebinding) or a missing `--allowed-host`. */
  HOST_NOT_ALLOWED: 'HOST_NOT_ALLOWED',
  CONFIRMATION_REQUIRED: 'CONFIRMATION_REQUIRED',
  NOT_FOUND: 'NOT_FOUND',
} as const;

/** One of {@link DashboardErrorCode}. */
export type DashboardErrorCode = (typeof DashboardErrorCode)[keyof typeof DashboardErrorCode];

/** The JSON body of every error answer: `{ error: { code, message, argument? } }`. */
export interface ApiErrorBody {
  error: { code: CelersErrorCode | DashboardErrorCode; message: string; argument?: string };
}

/** An error raised by the dashboard itself, with its HTTP status. */
export class DashboardError extends Error {
  readonly status: 400 | 401 | 403 | 404 | 409 | 421;
  readonly code: DashboardErrorCode;
  readonly argument: string | undefined;

  constructor(
    status: DashboardError['status'],
    code: DashboardErrorCode,
    message: string,
    argument?: string,
  ) {
    super(message);
    this.status = status;
    this.code = code;
    this.argument = argument;
  }
}

const STATUS_BY_CODE: Partial<Record<CelersErrorCode, 400 | 404 | 409 | 503>> = {
  INVALID_ARGUMENT: 400,
  PAYLOAD_TOO_LARGE: 400,
  TASK_NOT_FOUND: 404,
  INVALID_STATE: 409,
  STALE_RECEIPT: 409,
  QUEUE_FULL: 409,
  QUEUE_DRAINING: 409,
  DUPLICATE_TASK: 409,
  HOOK_REJECTED: 409,
  DATABASE_UNAVAILABLE: 503,
  DATABASE_TIMEOUT: 503,
  CIRCUIT_OPEN: 503,
  MIGRATION_REQUIRED: 503,
};

/**
 * Maps any thrown value to a status and an {@link ApiErrorBody}. Broker errors keep their code and message;
 * anything unexpected becomes a 500 `INTERNAL` with a generic message (stack traces stay in the server log).
 */
export function toApiError(error: unknown): {
  status: 400 | 401 | 403 | 404 | 409 | 421 | 500 | 503;
  body: ApiErrorBody;
} {
  if (error instanceof DashboardError) {
    const body: ApiErrorBody = { error: { code: error.code, message: error.message } };
    if (error.argument !== undefined) body.error.argument = error.argument;
    return { status: error.status, body };
  }
  // the dashboard's own queries (listings, searches) throw driver errors: an unreachable server (the primary,
  // or the read replica) is a 503 like a broker's DATABASE_UNAVAILABLE
  if (!CelersError.isInstance(error) && isUnavailableError(error))
    return toApiError(toCelersError(error, 'read'));
  if (CelersError.isInstance(error)) {
    const status = STATUS_BY_CODE[error.code];
    if (status !== undefined) {
      const body: ApiErrorBody = { error: { code: error.code, message: error.message } };
      if (error.argument !== undefined) body.error.argument = error.argument;
      return { status, body };
    }
  }
  return {
    status: 500,
    body: { error: { code: 'INTERNAL', message: 'Internal error; see the dashboard server log' } },
  };
}
