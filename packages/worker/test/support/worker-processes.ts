import { type ChildProcess, spawn } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const packageDir = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const fixture = join(packageDir, 'test', 'fixtures', 'worker-process.ts');

/** A spawned worker process with its captured output. */
export interface WorkerProcess {
  readonly workerId: string;
  readonly child: ChildProcess;
  /** Resolves when the fixture printed READY (registered and polling). */
  readonly ready: Promise<void>;
  /** Resolves with how the process ended. */
  readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  stdout(): string;
  stderr(): string;
}

/** Starts `test/fixtures/<fixtureFile>` (default `worker-process.ts`) in a fresh Node process with the given env. */
export function spawnWorker(
  workerId: string,
  env: Record<string, string>,
  fixtureFile?: string,
): WorkerProcess {
  const script = fixtureFile === undefined ? fixture : join(packageDir, 'test', 'fixtures', fixtureFile);
  const child = spawn(process.execPath, ['--import', 'tsx', script], {
    cwd: packageDir, // tsx reads packages/worker/tsconfig.json, whose paths map @celers/* to sources
    env: { ...process.env, ...env, WORKER_ID: workerId },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  let err = '';
  child.stdout?.on('data', (chunk: Buffer) => {
    out += chunk.toString();
  });
  child.stderr?.on('data', (chunk: Buffer) => {
    err += chunk.toString();
  });
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => {
    child.once('exit', (code, signal) => resolve({ code, signal }));
  });
  const ready = new Promise<void>((resolve, reject) => {
    const onData = () => {
      if (out.includes(`READY ${workerId}`)) {
        child.stdout?.off('data', onData);
        resolve();
      }
    };
    child.stdout?.on('data', onData);
    void exited.then(({ code, signal }) =>
      reject(
        new Error(
          `worker ${workerId} exited before READY (code ${code}, signal ${signal}): ${err.slice(-2000)}`,
        ),
      ),
    );
  });
  ready.catch(() => undefined); // observed by the test; avoid an unhandled rejection after READY
  return { workerId, child, ready, exited, stdout: () => out, stderr: () => err };
}

/** Kills any process still running (test cleanup), by its own pid only. */
export async function killAll(processes: readonly WorkerProcess[]): Promise<void> {
  await Promise.all(
    processes.map(async (p) => {
      if (p.child.exitCode === null && p.child.signalCode === null) {
        p.child.kill('SIGKILL');
        await p.exited;
      }
    }),
  );
}
