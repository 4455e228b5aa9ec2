/**
 * An exception as Celery's JSON result serializer stores it (`Backend.prepare_exception`), which
 * `AsyncResult.get()` turns back into a raised exception.
 */
export interface CeleryExceptionInfo {
  exc_type: string;
  exc_message: unknown[];
  /** The exception's Python module; null makes Celery synthesise a class named `exc_type`. */
  exc_module: string | null;
}

// JS error names that mean the same as a Python builtin, so Python callers can `except TypeError`.
const PYTHON_BUILTINS: Readonly<Record<string, string>> = {
  Error: 'Exception',
  TypeError: 'TypeError',
  RangeError: 'ValueError',
  SyntaxError: 'SyntaxError',
  ReferenceError: 'NameError',
  ValueError: 'ValueError',
  KeyError: 'KeyError',
  RuntimeError: 'RuntimeError',
  NotImplementedError: 'NotImplementedError',
  TimeoutError: 'TimeoutError',
};

/** Describes a thrown value the way Celery stores a Python exception. */
export function exceptionInfoOf(error: unknown): CeleryExceptionInfo {
  if (error instanceof Error) {
    const builtin = PYTHON_BUILTINS[error.name];
    return builtin
      ? { exc_type: builtin, exc_message: [error.message], exc_module: 'builtins' }
      : { exc_type: error.name || 'Error', exc_message: [error.message], exc_module: null };
  }
  return { exc_type: 'Exception', exc_message: [String(error)], exc_module: 'builtins' };
}

/** A Python-looking traceback of a JS error (its stack frames), for `AsyncResult.traceback`. */
export function tracebackOf(error: unknown, info: CeleryExceptionInfo): string {
  const frames =
    error instanceof Error && error.stack
      ? error.stack
          .split('\n')
          .filter((line) => line.trimStart().startsWith('at '))
          .map((line) => `  ${line.trim()}`)
      : [];
  return [
    'Traceback (most recent call last):',
    ...frames,
    `${info.exc_type}: ${String(info.exc_message[0])}`,
    '',
  ].join('\n');
}
