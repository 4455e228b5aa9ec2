// Python producer -> TypeScript worker: producer.py calls `send_task('emails.render', ...)` through kombu's
// SQLAlchemy transport; a celers Celery worker runs it and Python's `AsyncResult.get()` reads the result.
import { execFile } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { runCeleryWorker } from '@celers/celery';
import { createDatabase } from '@celers/schema';

// The Python half lives in apps/examples/celery.
const here = join(dirname(fileURLToPath(import.meta.url)), '..', '..', 'celery');
const url = process.env.CELERS_DATABASE_URL as string;
const db = createDatabase(url);
const worker = runCeleryWorker({
  db,
  queues: ['ts-emails'],
  handlers: {
    'emails.render': ([to], { name, items }) => ({
      to,
      subject: `Hello ${String(name)}`,
      lines: Array.isArray(items) ? items.length : 0,
    }),
  },
});
try {
  const { stdout } = await promisify(execFile)(
    process.env.CELERS_PYTHON ?? '/usr/bin/python3',
    ['producer.py'],
    {
      cwd: here,
      env: process.env,
    },
  );
  const answer = JSON.parse(stdout.trim()) as { status: string; value: { subject: string; lines: number } };
  if (answer.status !== 'SUCCESS' || answer.value.subject !== 'Hello Ana' || answer.value.lines !== 3)
    throw new Error(`✗ unexpected answer ${stdout}`);
  console.log(`✓ Python read the TypeScript result: ${JSON.stringify(answer.value)}`);
} finally {
  await worker.close();
  await db.destroy();
}
