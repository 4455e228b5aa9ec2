import { execFile, spawn } from 'node:child_process';
import { dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';

/** Where `bench_celery_app.py` lives: the Python worker runs with this as its working directory. */
const APP_DIR = dirname(fileURLToPath(import.meta.url));
/**
 * The interpreter W10 runs: `CELERS_PYTHON`, else Debian's, for which python3-celery is installed (a pyenv
 * `python3` earlier on PATH lacks it).
 */
export function pythonInterpreter(): string {
  return process.env.CELERS_PYTHON ?? '/usr/bin/python3';
}
/** How many bytes of a Python worker's stderr are kept for error messages. */
const STDERR_TAIL_BYTES = 4_096;

/** A Python Celery pool W10 drains with. */
export type PythonPool = { kind: 'solo' } | { kind: 'prefork'; concurrency: number };

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
 * Why W10 cannot run Python Celery here, or `null` when it can: imports what the worker needs (Celery, kombu,
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

/** The SQLAlchemy URL (`mysql+pymysql://…`) of a `mysql://` URL. */
export function sqlalchemyUrl(url: string): string {
  return url.replace(/^(mysql|mariadb):/, 'mysql+pymysql:');
}

/**
 * Starts an unmodified `celery worker` on `bench_celery_app` consuming `queue` of the database at `dbUrl`.
 * It is detached into its own process group so that `stop()` also ends its prefork children; until then a
 * hook on this process's exit kills the group, so an aborted bench leaves no Python behind.
 */
export function startPythonWorker(dbUrl: string, queue: string, pool: PythonPool): PythonWorker {
  const poolArgs =
    pool.kind === 'solo' ? ['--pool=solo'] : ['--pool=prefork', `--concurrency=${pool.concurrency}`];
  const child = spawn(
    pythonInterpreter(),
    [
      '-m',
      'celery',
      '-A',
      'bench_celery_app',
      'worker',
      ...poolArgs,
      '-Q',
      queue,
      '-l',
      'warning',
      // Broadcast features the SQL transport does not need; without them the worker starts in about 1 s.
      '--without-heartbeat',
      '--without-mingle',
      '--without-gossip',
    ],
    {
      cwd: APP_DIR,
      env: { ...process.env, CELERS_CELERY_DB: sqlalchemyUrl(dbUrl) },
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
