// Runs the two Celery examples (apps/examples/celery) as a user would, against a fresh database.
import { spawn } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createTestDatabase, type TestDatabase } from '@celers/testing';
import { afterAll, beforeAll, expect, it } from 'vitest';

const APP_DIR = join(dirname(fileURLToPath(import.meta.url)), '..');
let tdb: TestDatabase;

beforeAll(async () => {
  tdb = await createTestDatabase();
});
afterAll(async () => {
  await tdb?.drop();
});

function run(file: string): Promise<{ code: number | null; output: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', file], {
      cwd: APP_DIR,
      env: { ...process.env, CELERS_DATABASE_URL: tdb.url },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    child.stdout.on('data', (d: Buffer) => {
      output += d.toString();
    });
    child.stderr.on('data', (d: Buffer) => {
      output += d.toString();
    });
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, output }));
  });
}

it('Python producer -> TypeScript worker', async () => {
  const { code, output } = await run('src/celery/python-to-ts.ts');
  expect(code, output).toBe(0);
  expect(output).toContain(
    '✓ Python read the TypeScript result: {"to":"ana@example.com","subject":"Hello Ana","lines":3}',
  );
}, 90_000);

it('TypeScript producer -> Python worker', async () => {
  const { code, output } = await run('src/celery/ts-to-python.ts');
  expect(code, output).toBe(0);
  expect(output).toContain('✓ the Python worker computed {"currency":"USD","total":25}');
}, 90_000);
