// The celery interop tests' side of Python: `py_client.py` commands and the fixture app's worker, on the shared
// runner in @celers/testing (the bench's W10 uses the same one).
import { execFile } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { type PythonWorker, pythonInterpreter, sqlalchemyUrl, startPythonWorker } from '@celers/testing';
import { parseBigJson, stringifyBigJson } from '../../src/index.js';

const fixtures = join(dirname(fileURLToPath(import.meta.url)), '..', 'fixtures');

/** Runs one `py_client.py` command and returns its JSON answer. */
export async function pyClient<T = Record<string, unknown>>(dbUrl: string, command: object): Promise<T> {
  const { stdout } = await promisify(execFile)(
    pythonInterpreter(),
    [join(fixtures, 'py_client.py'), stringifyBigJson(command, 'command')],
    {
      cwd: fixtures,
      env: { ...process.env, CELERS_CELERY_DB: sqlalchemyUrl(dbUrl) },
      timeout: 60_000,
    },
  );
  return parseBigJson(stdout.trim().split('\n').at(-1) ?? '{}') as T;
}

/** Starts an unmodified `celery worker` (solo pool) on the fixture app `celery_app`; `stop()` it after. */
export function startFixtureWorker(dbUrl: string, queue: string): PythonWorker {
  return startPythonWorker({ dbUrl, queue, app: 'celery_app', cwd: fixtures });
}
