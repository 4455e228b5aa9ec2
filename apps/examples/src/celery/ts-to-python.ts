// TypeScript producer -> Python worker: sendCeleryTask writes a protocol-v2 message that an unmodified
// `celery worker` (celery_app.py) executes; getCeleryResult decodes the result it stores.
import { spawn } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { sendCeleryTask, waitCeleryResult } from '@celers/celery';
import { createDatabase } from '@celers/schema';

// The Python half lives in apps/examples/celery.
const here = join(dirname(fileURLToPath(import.meta.url)), '..', '..', 'celery');
const db = createDatabase(process.env.CELERS_DATABASE_URL as string);
const python = spawn(
  process.env.CELERS_PYTHON ?? '/usr/bin/python3',
  ['-m', 'celery', '-A', 'celery_app', 'worker', '--pool=solo', '-Q', 'py-invoices', '-l', 'warning'],
  { cwd: here, env: process.env, stdio: ['ignore', 'ignore', 'inherit'] },
);
try {
  const lines = [
    { qty: 2, price: 10 },
    { qty: 1, price: 5 },
  ];
  const id = await sendCeleryTask(
    db,
    'invoices.total',
    [lines],
    { currency: 'USD' },
    { queue: 'py-invoices' },
  );
  const result = await waitCeleryResult(db, id, { timeoutMs: 60_000 });
  const value = result.result as { currency: string; total: number };
  if (result.status !== 'SUCCESS' || value.total !== 25 || value.currency !== 'USD')
    throw new Error(`✗ unexpected result ${JSON.stringify(result)}`);
  console.log(`✓ the Python worker computed ${JSON.stringify(value)}`);
} finally {
  python.kill('SIGTERM');
  await db.destroy();
}
