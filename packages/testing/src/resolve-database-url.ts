/** Environment variable that names the server tests run against (a MySQL 8+ or MariaDB 10.6+ URL). */
export const TEST_DATABASE_URL_ENV = 'CELERS_TEST_DATABASE_URL';

/** How to provide a test database, shown whenever none can be found. */
export const NO_DATABASE_HELP =
  'No test database: CELERS_TEST_DATABASE_URL is not set and no container runtime was found for testcontainers. ' +
  'Run `bash .ci/run` (it starts MariaDB and sets the URL), or export ' +
  'CELERS_TEST_DATABASE_URL=mysql://user:password@127.0.0.1:3306/celers for a server whose user may CREATE DATABASE.';
