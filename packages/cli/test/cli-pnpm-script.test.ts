import { spawnSync } from 'node:child_process';
import { createTestDatabase, type TestDatabase } from '@celers/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { REPO_ROOT } from './helpers/build-packages.js';

// The documented path from a clone: the root `pnpm celers` script builds the CLI (turbo's lines go to stderr)
// and runs it, so `pnpm -s celers … --json` pipes straight into a JSON parser.
let tdb: TestDatabase;

function pnpmCelers(args: string[]) {
  return spawnSync('pnpm', args, {
    cwd: REPO_ROOT,
    env: { ...process.env, CELERS_DATABASE_URL: tdb.url, TURBO_TELEMETRY_DISABLED: '1' },
    encoding: 'utf8',
    timeout: 300_000,
  });
}

beforeAll(async () => {
  tdb = await createTestDatabase();
  const migrate = pnpmCelers(['-s', 'celers', 'migrate']);
  expect(migrate.status, migrate.stderr).toBe(0);
}, 400_000);

afterAll(async () => {
  await tdb?.drop();
});

describe('pnpm celers (root script)', () => {
  it('`pnpm -s celers status --json` prints only the JSON document on stdout', { timeout: 300_000 }, () => {
    const run = pnpmCelers(['-s', 'celers', 'status', '--queue', 'piped', '--json']);
    expect(run.status, run.stderr).toBe(0);
    const status = JSON.parse(run.stdout) as Record<string, unknown>;
    expect(status).toMatchObject({ queue: 'piped' });
  });

  it('without -s, stdout holds pnpm’s script header and the CLI output, never turbo’s lines', {
    timeout: 300_000,
  }, () => {
    const run = pnpmCelers(['celers', 'status', '--queue', 'piped', '--json']);
    expect(run.status, run.stderr).toBe(0);
    expect(run.stdout).not.toMatch(/turbo \d|Packages in scope|Tasks:/);
    const body = run.stdout.slice(run.stdout.indexOf('{'));
    expect(JSON.parse(body)).toMatchObject({ queue: 'piped' });
  });
});
