// Runs Python Celery next to celers: the interpreter to use, a check that it can import Celery, and an
// unmodified `celery worker` in its own process group. Shared by @celers/celery's interop tests and the bench's
// W10 (apps/bench, which runs it outside vitest: this package's index loads no test framework at runtime).
import { execFile, spawn } from 'node:child_process';
import { promisify } from 'node:util';

/** How many bytes of a Python worker's stderr are kept for error messages. */
const STDERR_TAIL_BYTES = 4_096;

/**
 * The interpreter to run: `CELERS_PYTHON`, else Debian's, for which python3-celery is installed (a pyenv
 * `python3` earlier on PATH lacks it).
 */
export function pythonInterpreter(): string {
  return process.env.CELERS_PYTHON ?? '/usr/bin/python3';
}

/** The SQLAlchemy URL (`mysql+pymysql://…`) of a `mysql://` (or `mariadb://`) URL. */
export function sqlalchemyUrl(url: string): string {
  return url.replace(/^(mysql|mariadb):/, 'mysql+pymysql:');
}

/**
 * Why Python Celery cannot run here, or `null` when it can: imports what a worker needs (Celery, kombu,
 * SQLAlchemy, PyMySQL) with {@link pythonInterpreter} and returns its last error line when that fails.
 */
export async function pythonCeleryMissing(): Promise<string | null> {
  const python = pythonInterpreter();
  try {
    await promisify(execFile)(python, ['-c', 'import celery, kombu, sqlalchemy, pymysql'], {
      timeout: 30_000,
    });
    return null;
  } catch (error) {
    const stderr = (error as { stderr?: string }).stderr?.trim().split('\n').at(-1);
    return `${python} cannot import celery, kombu, sqlalchemy, pymysql: ${stderr || (error as Error).message}`;
  }
}

/** A Python Celery pool. */
export type PythonPool = { kind: 'solo' } | { kind: 'prefork'; concurrency: number };

/** Where and what a Python worker runs. */
export interface PythonWorkerOptions {
  /** The celers database URL (`mysql://…`); the worker gets it as `CELERS_CELERY_DB` in SQLAlchemy form. */
  dbUrl: string;
  /** The kombu queue to consume. */
  queue: string;
  /** The Celery app module (`celery -A <app>`), found in `cwd`. */
  app: string;
  /** The working directory, where the app module lives. */
  cwd: string;
  /** @defaultValue `{ kind: 'solo' }` */
  pool?: PythonPool;
}

/** A running `celery worker`, leading its own process group (its prefork children are in it). */
export interface PythonWorker {
  /**
   * Resolves, when the worker exits, with an error naming how and the last {@link STDERR_TAIL_BYTES} of its
   * stderr (where Celery logs); never rejects.
   */
  readonly exitedEarly: Promise<Error>;
  /** Kills the worker's process group and waits for the worker to exit. Safe to call twice. */
  stop(): Promise<void>;
}

/**
 * Starts an unmodified `celery worker` on `options.app`. It is detached into its own process group so that
 * `stop()` also ends its prefork children; until then a hook on this process's exit kills the group, so an
 * aborted run leaves no Python behind.
 */
export function startPythonWorker(options: PythonWorkerOptions): PythonWorker {
  const pool = options.pool ?? { kind: 'solo' };
  const poolArgs =
    pool.kind === 'solo' ? ['--pool=solo'] : ['--pool=prefork', `--concurrency=${pool.concurrency}`];
  const child = spawn(
    pythonInterpreter(),
    [
      '-m',
      'celery',
      '-A',
      options.app,
      'worker',
      ...poolArgs,
      '-Q',
      options.queue,
      '-l',
      'warning',
      // Broadcast features the SQL transport does not need; without them the worker starts in about 1 s.
      '--without-heartbeat',
      '--without-mingle',
      '--without-gossip',
    ],
    {
      cwd: options.cwd,
      env: { ...process.env, CELERS_CELERY_DB: sqlalchemyUrl(options.dbUrl) },
      stdio: ['ignore', 'ignore', 'pipe'],
      detached: true,
    },
  );
  let tail = '';
  child.stderr?.setEncoding('utf8').on('data', (chunk: string) => {
    tail = (tail + chunk).slice(-STDERR_TAIL_BYTES);
  });
  let groupKilled = false;
  const killGroup = () => {
    // The whole group, also when the worker itself has exited already: its pool children may outlive it.
    if (child.pid === undefined || groupKilled) return;
    groupKilled = true;
    try {
      process.kill(-child.pid, 'SIGKILL');
    } catch {
      // ESRCH: nothing of the group is left.
    }
  };
  process.once('exit', killGroup);
  const exit = new Promise<string>((resolve) => {
    child.once('error', (error) => resolve(`failed to start: ${error.message}`));
    child.once('exit', (code, signal) => resolve(`exited (code ${code}, signal ${signal})`));
  });
  let stopping = false;
  return {
    exitedEarly: exit.then(
      (how) => new Error(`python celery worker ${how}${stopping ? ' (stopped)' : ''}: ${tail.trim()}`),
    ),
    async stop() {
      stopping = true;
      killGroup();
      await exit;
      process.off('exit', killGroup);
    },
  };
}
