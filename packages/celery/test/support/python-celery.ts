import { type ChildProcess, execFile, spawn } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { parseBigJson, stringifyBigJson } from '../../src/index.js';

const fixtures = join(dirname(fileURLToPath(import.meta.url)), '..', 'fixtures');
/** Debian's interpreter: the python3-celery package is installed for it, not for a pyenv shim. */
export const PYTHON = process.env.CELERS_PYTHON ?? '/usr/bin/python3';

/** The SQLAlchemy URL (`mysql+pymysql://…`) of a `mysql://` test database URL. */
export function sqlalchemyUrl(url: string): string {
  return url.replace(/^mysql:/, 'mysql+pymysql:');
}

/** Runs one `py_client.py` command and returns its JSON answer. */
export async function pyClient<T = Record<string, unknown>>(dbUrl: string, command: object): Promise<T> {
  const { stdout } = await promisify(execFile)(
    PYTHON,
    [join(fixtures, 'py_client.py'), stringifyBigJson(command, 'command')],
    {
      cwd: fixtures,
      env: { ...process.env, CELERS_CELERY_DB: sqlalchemyUrl(dbUrl) },
      timeout: 60_000,
    },
  );
  return parseBigJson(stdout.trim().split('\n').at(-1) ?? '{}') as T;
}

/** Starts an unmodified `celery worker` (solo pool) on the fixture app; kill it with `stopPythonWorker`. */
export function startPythonWorker(dbUrl: string, queue: string): ChildProcess {
  return spawn(
    PYTHON,
    [
      '-m',
      'celery',
      '-A',
      'celery_app',
      'worker',
      '--pool=solo',
      '-Q',
      queue,
      '-l',
      'warning',
      '--without-heartbeat',
      '--without-mingle',
      '--without-gossip',
    ],
    {
      cwd: fixtures,
      env: { ...process.env, CELERS_CELERY_DB: sqlalchemyUrl(dbUrl) },
      stdio: ['ignore', 'ignore', 'pipe'],
    },
  );
}

/** Stops a Python worker by its own pid and waits for it to exit. */
export async function stopPythonWorker(child: ChildProcess | undefined): Promise<void> {
  if (!child || child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise((resolve) => child.once('exit', resolve));
  child.kill('SIGKILL');
  await exited;
}
