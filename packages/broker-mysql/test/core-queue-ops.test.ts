import { createTestDatabase } from '@celers/testing';
import { defineQueueOpsSuite } from './fixtures/queue-ops-suite.js';

// The main queue cases on the shared test server; safety-sql-modes.test.ts runs the same cases on private
// servers started with other sql_modes.
defineQueueOpsSuite(async () => {
  const tdb = await createTestDatabase();
  return { url: tdb.url, cleanup: () => tdb.drop() };
});
