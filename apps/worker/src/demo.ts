// `pnpm demo`: runs the demo producer and the demo worker together (via tsx, no build step) against
// CELERS_DATABASE_URL, prefixing their output. Stops on Ctrl-C, or by itself after DEMO_DURATION_MS.
import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { dirname, join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';

const APPS_DIR = join(dirname(fileURLToPath(import.meta.url)), '../..');
/** Extra time the children get to shut down after the demo duration before they are killed. */
const SHUTDOWN_GRACE_MS = 40_000;

if (!process.env.CELERS_DATABASE_URL) {
  console.error(
    'demo: set CELERS_DATABASE_URL, e.g. CELERS_DATABASE_URL=mysql://root@127.0.0.1:3306/celers pnpm demo',
  );
  process.exit(1);
}

function start(app: 'producer' | 'worker'): ChildProcess {
  const child = spawn(process.execPath, ['--import', 'tsx', 'src/main.ts'], {
    cwd: join(APPS_DIR, app),
    env: process.env,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  for (const stream of [child.stdout, child.stderr]) {
    if (stream)
      createInterface({ input: stream }).on('line', (line) =>
        console.log(line.startsWith('[') ? line : `[${app}] ${line}`),
      );
  }
  return child;
}

const children = [start('producer'), start('worker')];
console.log(
  `[demo] running; next: open http://127.0.0.1:8080 (pnpm dashboard), run pnpm celers status --queue demo` +
    ` (metrics on http://127.0.0.1:${process.env.METRICS_PORT ?? '9464'}/metrics). Ctrl-C stops.`,
);
const stopAll = (signal: NodeJS.Signals) => {
  for (const child of children) if (child.exitCode === null) child.kill(signal);
};
process.once('SIGINT', () => stopAll('SIGTERM'));
process.once('SIGTERM', () => stopAll('SIGTERM'));
const duration = Number(process.env.DEMO_DURATION_MS);
if (Number.isFinite(duration) && duration > 0) {
  setTimeout(() => stopAll('SIGKILL'), duration + SHUTDOWN_GRACE_MS).unref();
}

const codes = await Promise.all(
  children.map(async (child) => {
    const [code] = (await once(child, 'exit')) as [number | null];
    if (code !== 0) stopAll('SIGTERM'); // one side crashed: stop the other too
    return code ?? 1;
  }),
);
console.log(`[demo] finished (producer exit ${codes[0]}, worker exit ${codes[1]})`);
process.exitCode = Math.max(...codes);
