// vitest globalSetup: resolves the one server URL all test files share, then provides it via `inject`.
// Order: CELERS_TEST_DATABASE_URL, else a testcontainers MySQL 8.4 container, else a clear error (never a skip).
import type { TestProject } from 'vitest/node';
import { NO_DATABASE_HELP, TEST_DATABASE_URL_ENV } from './resolve-database-url.js';
import './vitest-context.js';

export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  let url = process.env[TEST_DATABASE_URL_ENV];
  let stop: (() => Promise<unknown>) | undefined;
  if (!url) {
    // Dynamic imports: testcontainers is only loaded when it is needed.
    const { getContainerRuntimeClient } = await import('testcontainers');
    try {
      await getContainerRuntimeClient();
    } catch (error) {
      throw new Error(`${NO_DATABASE_HELP} (testcontainers: ${(error as Error).message})`);
    }
    const { MySqlContainer } = await import('@testcontainers/mysql');
    const container = await new MySqlContainer('mysql:8.4').withRootPassword('celers').start();
    url = `mysql://root:celers@${container.getHost()}:${container.getPort()}/${container.getDatabase()}`;
    stop = () => container.stop();
  }
  project.provide('celersDatabaseUrl', url);
  return async () => {
    await stop?.();
  };
}
