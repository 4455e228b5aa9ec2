// A private mariadbd on a free loopback port with its own datadir, for tests that need server settings the
// shared test server does not have (another sql_mode, a small max_allowed_packet) or that stop, freeze or
// restart the server under running clients. Debian's mariadb-server provides the binaries (.ci/run installs it).
import { type ChildProcess, execFile, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { chown, mkdir, mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { createServer, Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);

/** Where Debian puts the server and its bootstrap script. */
const MARIADBD = '/usr/sbin/mariadbd';
const INSTALL_DB = '/usr/bin/mariadb-install-db';

/** How to start a {@link PrivateServer}. */
export interface PrivateServerOptions {
  /** Extra `mariadbd` options, e.g. `['--sql-mode=NO_BACKSLASH_ESCAPES']`. */
  args?: readonly string[];
  /** Database created at start and named in {@link PrivateServer.url}. Default `celers`. */
  database?: string;
  /** How long to wait for the port to open, per start. Default 30 s. */
  startTimeoutMs?: number;
  /** Port to listen on; default a free one. Topologies pick ports first because every node names the others. */
  port?: number;
  /** Options for the first start only, e.g. `--wsrep-new-cluster` to bootstrap a Galera cluster once. */
  firstStartArgs?: readonly string[];
  /**
   * Runs after every start, once the port is open and before the database is created: e.g. wait until a
   * Galera node is synced, since a joining node refuses queries until then.
   */
  afterStart?: (port: number) => Promise<void>;
}

/** A running private server. The URL stays valid across {@link PrivateServer.restart}. */
export interface PrivateServer {
  /** `mysql://root@127.0.0.1:<port>/<database>` (root, empty password). */
  readonly url: string;
  readonly port: number;
  /** Stops the server cleanly (SIGTERM, waits for exit). Safe to call twice. */
  stop(): Promise<void>;
  /** Kills the server at once (SIGKILL), as a crash would. */
  kill(): Promise<void>;
  /** Starts the server again on the same port and datadir after {@link stop} or {@link kill}. */
  start(): Promise<void>;
  /** `stop()` then `start()`, with `downMs` of downtime between them. */
  restart(downMs?: number): Promise<void>;
  /**
   * Freezes the process (SIGSTOP): connections stay open but nothing answers, like a silent partition. Resolves
   * once every thread is stopped: a signal is delivered asynchronously, and a thread still running on another
   * core could answer a query sent right after `kill()`.
   */
  freeze(): Promise<void>;
  /** Resumes a frozen server (SIGCONT). */
  thaw(): void;
  /** Stops the server and deletes its datadir. */
  destroy(): Promise<void>;
}

/** Waits (up to 5 s) until every thread of `pid` is in the stopped state (`T` in /proc/<pid>/task/<tid>/stat). */
async function waitUntilStopped(pid: number): Promise<void> {
  const deadline = Date.now() + 5_000;
  for (;;) {
    const tids = await readdir(`/proc/${pid}/task`).catch(() => [] as string[]);
    const states = await Promise.all(
      tids.map((tid) =>
        readFile(`/proc/${pid}/task/${tid}/stat`, 'utf8')
          .then((stat) => stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3))
          .catch(() => 'T'),
      ),
    );
    if (states.every((state) => state === 'T' || state === 't')) return;
    if (Date.now() > deadline)
      throw new Error(`process ${pid} did not stop within 5 s (states ${states.join('')})`);
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}

/** True when this machine can start a private server (Debian's mariadb-server is installed). */
export function canStartPrivateServer(): boolean {
  return existsSync(MARIADBD) && existsSync(INSTALL_DB);
}

/**
 * Starts a private MariaDB server for one test file. Fails with instructions (never skips) when mariadbd is
 * not installed.
 *
 * @example
 * ```ts
 * const server = await startPrivateServer({ args: ['--sql-mode=NO_BACKSLASH_ESCAPES'] });
 * const broker = await MysqlBroker.connect({ url: server.url, queue: 'q', migrate: true });
 * await server.restart(2_000);
 * await server.destroy();
 * ```
 */
export async function startPrivateServer(options: PrivateServerOptions = {}): Promise<PrivateServer> {
  if (!canStartPrivateServer()) {
    throw new Error(
      `No ${MARIADBD}: this test starts a private MariaDB server. Install Debian's mariadb-server ` +
        '(`apt-get install mariadb-server`, as `bash .ci/run` does).',
    );
  }
  const database = options.database ?? 'celers';
  const startTimeoutMs = options.startTimeoutMs ?? 30_000;
  const dir = await mkdtemp(join(tmpdir(), 'celers-mariadbd-'));
  const datadir = join(dir, 'data');
  // Temporary tables of this server (and of its bootstrap) go to its own directory, not the shared /tmp where
  // other servers' files live (seen here: a bootstrap aborting on a temp file of /tmp it could not remove).
  const tmp = join(dir, 'tmp');
  await mkdir(tmp);
  const env = { ...process.env, TMPDIR: tmp };
  const asRoot = process.getuid?.() === 0;
  // mariadbd refuses to run as root; as root the datadir goes to the mysql user.
  const userArgs = asRoot ? ['--user=mysql'] : [];
  if (asRoot) {
    await chownTree(dir);
    await chownTree(tmp);
  }
  await run(
    INSTALL_DB,
    [
      '--no-defaults',
      `--datadir=${datadir}`,
      '--auth-root-authentication-method=normal',
      '--skip-test-db',
      ...userArgs,
    ],
    { env },
  );
  const port = options.port ?? (await freePort());
  const serverArgs = [
    '--no-defaults',
    `--datadir=${datadir}`,
    `--port=${port}`,
    '--bind-address=127.0.0.1',
    `--socket=${join(dir, 'mysqld.sock')}`,
    `--pid-file=${join(dir, 'mysqld.pid')}`,
    `--log-error=${join(dir, 'error.log')}`,
    '--skip-name-resolve',
    '--innodb-buffer-pool-size=64M',
    '--innodb-log-file-size=16M',
    `--tmpdir=${tmp}`,
    ...userArgs,
    ...(options.args ?? []),
  ];

  let child: ChildProcess | undefined;
  let exited: Promise<void> = Promise.resolve();
  let firstStart = true;
  const startProcess = async () => {
    const args = firstStart ? [...serverArgs, ...(options.firstStartArgs ?? [])] : serverArgs;
    firstStart = false;
    const proc = spawn(MARIADBD, args, { stdio: 'ignore', env });
    child = proc;
    exited = new Promise((resolve) => proc.once('exit', () => resolve()));
    await waitForPort(port, startTimeoutMs, () => proc.exitCode !== null || proc.signalCode !== null, dir);
    await options.afterStart?.(port);
  };
  const signal = async (sig: NodeJS.Signals) => {
    const proc = child;
    if (!proc || proc.exitCode !== null || proc.signalCode !== null) return;
    if (sig !== 'SIGCONT') proc.kill('SIGCONT'); // a frozen server cannot act on SIGTERM
    proc.kill(sig);
    await exited;
  };
  const cleanupOnExit = () => child?.kill('SIGKILL');
  process.once('exit', cleanupOnExit);

  await startProcess();
  await rootQuery(
    port,
    `CREATE DATABASE IF NOT EXISTS \`${database}\` CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci`,
  );

  const server: PrivateServer = {
    url: `mysql://root@127.0.0.1:${port}/${database}`,
    port,
    stop: () => signal('SIGTERM'),
    kill: () => signal('SIGKILL'),
    start: async () => {
      if (child && child.exitCode === null && child.signalCode === null) return;
      await startProcess();
    },
    restart: async (downMs = 0) => {
      await server.stop();
      if (downMs > 0) await new Promise((r) => setTimeout(r, downMs));
      await server.start();
    },
    freeze: async () => {
      const proc = child;
      if (!proc?.pid) return;
      proc.kill('SIGSTOP');
      await waitUntilStopped(proc.pid);
    },
    thaw: () => child?.kill('SIGCONT'),
    destroy: async () => {
      await server.kill();
      process.removeListener('exit', cleanupOnExit);
      await rm(dir, { recursive: true, force: true });
    },
  };
  return server;
}

/** A free TCP port on 127.0.0.1 (free when asked; the caller binds it soon after). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const address = srv.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      srv.close(() => resolve(port));
    });
  });
}

/** Gives `dir` (not its contents) to the mysql user, which mariadbd runs as when started by root. */
async function chownTree(dir: string): Promise<void> {
  const { stdout } = await run('id', ['-u', 'mysql']);
  const { stdout: gid } = await run('id', ['-g', 'mysql']);
  await chown(dir, Number(stdout.trim()), Number(gid.trim()));
}

async function waitForPort(port: number, timeoutMs: number, died: () => boolean, dir: string): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (died()) throw new Error(`mariadbd exited during start; see ${join(dir, 'error.log')}`);
    if (await portOpen(port)) return;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(
    `mariadbd did not open 127.0.0.1:${port} within ${timeoutMs} ms; see ${join(dir, 'error.log')}`,
  );
}

function portOpen(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = new Socket();
    socket.setTimeout(500);
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
    socket.once('timeout', () => {
      socket.destroy();
      resolve(false);
    });
    socket.connect(port, '127.0.0.1');
  });
}

async function rootQuery(port: number, statement: string): Promise<void> {
  const mysql = await import('mysql2/promise');
  const conn = await mysql.createConnection({ host: '127.0.0.1', port, user: 'root' });
  try {
    await conn.query(statement);
  } finally {
    await conn.end();
  }
}
